package dev.kopi.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardTest {
    @Test
    void everyImageBelongsToExactlyOneShardAndTheSplitIsEven() throws ImageException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            names.add("docker://registry.example.com/app:v" + i);
        }
        int[] counts = new int[5];
        for (String n : names) {
            int owners = 0;
            for (int s = 0; s < 5; s++) {
                if (Shard.parse(s + "/5").owns(n)) {
                    owners++;
                    counts[s]++;
                }
            }
            assertThat(owners).as(n).isEqualTo(1);
        }
        for (int c : counts) {
            assertThat(c).isBetween(500, 700);
        }
        assertThat(Shard.ALL.owns("anything")).isTrue();
    }

    @Test
    void assignmentIsStableAcrossRuns() throws ImageException {
        // The SHA-256 of the name decides: the same name always lands in the same shard, on any machine.
        assertThat(Shard.parse("0/2").owns("docker://r/app:a")).isEqualTo(Shard.parse("0/2").owns("docker://r/app:a"));
        String n = "docker://quay.io/org/app:1.0";
        int owner = -1;
        for (int s = 0; s < 7; s++) {
            if (new Shard(s, 7).owns(n)) {
                owner = s;
            }
        }
        byte[] h = dev.kopi.digest.Digest.sha256(n.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex()
                .substring(0, 16).getBytes();
        long v = Long.parseUnsignedLong(new String(h), 16);
        assertThat(owner).isEqualTo((int) Long.remainderUnsigned(v, 7));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "3/3", "-1/3", "a/b", "1/0", "0/"})
    void rejectsBadSpecs(String s) {
        assertThatThrownBy(() -> Shard.parse(s)).isInstanceOf(ImageException.class)
                .hasMessageContaining("invalid shard");
    }

    @org.junit.jupiter.api.Test
    void tagFiltersOfTheOptions() {
        SyncOptions o = SyncOptions.builder("docker", "docker").includeTags(java.util.regex.Pattern.compile("^v1"))
                .excludeTags(java.util.regex.Pattern.compile("rc")).build();
        assertThat(o.wantsTag("v1.2")).isTrue();
        assertThat(o.wantsTag("v1.3-rc1")).isFalse();
        assertThat(o.wantsTag("v2.0")).isFalse();
        assertThat(o.wantsTag(null)).as("images named by digest").isTrue();
        assertThat(SyncOptions.builder("docker", "docker").build().wantsTag("anything")).isTrue();
    }
}
