package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UploadRangeTest {
    @ParameterizedTest
    @CsvSource({"0-0,0", "0-1023,1024", "bytes=0-99,100", "' 0-4 ',5", "1-5,-1", "0-,-1", "abc,-1", "'',-1",
            "0-99999999999999999999,-1"})
    void uploadStatusRangeIsTheNextOffset(String header, long next) {
        assertThat(RegistryClient.parseUploadRange(header)).isEqualTo(next);
    }

    @ParameterizedTest
    @CsvSource({"'',16777216", "junk,16777216", "100,16384", "1048576,1048576", "99999999999,268435456"})
    void chunkSizeIsClamped(String configured, int expected) {
        assertThat(RegistryClient.uploadChunkSize(configured)).isEqualTo(expected);
    }
}
