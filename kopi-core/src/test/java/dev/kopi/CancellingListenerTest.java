package dev.kopi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.copy.CopyListener;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancellingListenerTest {
    /** A wrapper that misses an event silently drops it (the copy's output lines then go missing). */
    @Test
    void forwardsEveryListenerEvent() {
        List<String> missing = new ArrayList<>();
        for (Method m : CopyListener.class.getMethods()) {
            if (m.isDefault()) {
                try {
                    CancellingListener.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(m.getName());
                }
            }
        }
        assertThat(missing).as("CopyListener events CancellingListener does not forward").isEmpty();
    }
}
