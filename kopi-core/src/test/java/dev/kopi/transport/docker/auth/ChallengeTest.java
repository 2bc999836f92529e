package dev.kopi.transport.docker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeTest {
    @Test
    void bearerWithQuotedParameters() {
        Challenge c = Challenge.parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
                + "scope=\"repository:foo/bar:pull,push\"");
        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.parameters()).containsExactly(Map.entry("realm", "https://auth.example/token"),
                Map.entry("service", "registry.example"), Map.entry("scope", "repository:foo/bar:pull,push"));
    }

    @Test
    void basicWithTokenValueAndSpaces() {
        Challenge c = Challenge.parse("BASIC  Realm=Registry , charset=\"UTF-8\"");
        assertThat(c.scheme()).isEqualTo("basic");
        assertThat(c.parameters()).containsExactly(Map.entry("realm", "Registry"), Map.entry("charset", "UTF-8"));
    }

    @Test
    void escapesInQuotedStrings() {
        assertThat(Challenge.parse("Bearer realm=\"a\\\"b\\\\c\"").parameter("realm")).isEqualTo("a\"b\\c");
    }

    @Test
    void malformedParametersEndTheChallengeKeepingWhatCameBefore() {
        assertThat(Challenge.parse("Bearer realm=\"x\",service").parameters()).containsOnlyKeys("realm");
        assertThat(Challenge.parse("Bearer realm=\"unterminated").parameters()).isEmpty();
        assertThat(Challenge.parse("Bearer realm=").parameters()).isEmpty();
    }

    @Test
    void noSchemeIsNoChallenge() {
        assertThat(Challenge.parse("")).isNull();
        assertThat(Challenge.parse("\"quoted\"")).isNull();
        assertThat(Challenge.parseAll(List.of("", "Basic realm=x", "Bearer realm=y"))).extracting(Challenge::scheme)
                .containsExactly("basic", "bearer");
    }
}
