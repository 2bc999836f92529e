package dev.kopi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.copy.CopyListener;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CancellingListenerTest {
    /**
     * A wrapper that misses an event silently drops it (the copy's output lines then go missing): the library's
     * cancelling wrapper and sync's byte-counting one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev.kopi.CancellingListener", "dev.kopi.sync.Syncer$CountingListener"})
    void forwardsEveryListenerEvent(String wrapper) throws ClassNotFoundException {
        Class<?> c = Class.forName(wrapper);
        List<String> missing = new ArrayList<>();
        for (Method m : CopyListener.class.getMethods()) {
            if (m.isDefault()) {
                try {
                    c.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(m.getName());
                }
            }
        }
        assertThat(missing).as("CopyListener events %s does not forward", c.getSimpleName()).isEmpty();
    }
}
