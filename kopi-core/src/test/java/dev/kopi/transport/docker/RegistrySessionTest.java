package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RegistrySessionTest {
    private static final Digest D = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));

    @Test
    void aBlobIsCheckedOnceAndOthersWaitForTheCopyThatSendsIt() throws Exception {
        try (RegistrySession s = RegistrySession.open()) {
            RegistrySession.Claim first = s.claim("r", "repo", D);
            assertThat(first.owner()).isTrue();
            CompletableFuture<RegistrySession.Claim> second = CompletableFuture.supplyAsync(() -> s.claim("r", "repo", D));
            Thread.sleep(100);
            assertThat(second).as("waits while the owner sends the blob").isNotDone();
            first.complete(true);
            RegistrySession.Claim c = second.get(5, TimeUnit.SECONDS);
            assertThat(c.present()).isTrue();
            assertThat(c.owner()).isFalse();
            assertThat(s.claim("r", "repo", D).present()).isTrue();
            assertThat(s.blobsDeduplicated()).isEqualTo(2);
            // another repository is another question
            assertThat(s.claim("r", "other", D).owner()).isTrue();
        }
    }

    @Test
    void aFailedClaimIsTakenOverByTheNextCopy() throws Exception {
        try (RegistrySession s = RegistrySession.open()) {
            RegistrySession.Claim first = s.claim("r", "repo", D);
            CompletableFuture<RegistrySession.Claim> second = CompletableFuture.supplyAsync(() -> s.claim("r", "repo", D));
            first.complete(false);
            RegistrySession.Claim c = second.get(5, TimeUnit.SECONDS);
            assertThat(c.owner()).as("the waiter checks the blob itself").isTrue();
            assertThat(c.present()).isFalse();
        }
    }

    @Test
    void knownBlobsNeedNoCheckAndClosingReleasesWaiters() throws Exception {
        RegistrySession s = RegistrySession.open();
        s.known("r", "repo", D);
        assertThat(s.claim("r", "repo", D).present()).isTrue();
        Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        assertThat(s.claim("r", "repo", other).owner()).isTrue();
        CompletableFuture<RegistrySession.Claim> waiter = CompletableFuture.supplyAsync(() -> s.claim("r", "repo", other));
        Thread.sleep(50);
        s.close();
        assertThat(waiter.get(5, TimeUnit.SECONDS).present()).isFalse();
    }

    @Test
    void bindingIsPerThreadAndNests() {
        try (RegistrySession a = RegistrySession.open(); RegistrySession b = RegistrySession.open()) {
            assertThat(RegistrySession.current()).isNull();
            try (RegistrySession.Binding x = a.bind()) {
                assertThat(RegistrySession.current()).isSameAs(a);
                try (RegistrySession.Binding y = b.bind()) {
                    assertThat(RegistrySession.current()).isSameAs(b);
                }
                assertThat(RegistrySession.current()).isSameAs(a);
            }
            assertThat(RegistrySession.current()).isNull();
        }
    }
}
