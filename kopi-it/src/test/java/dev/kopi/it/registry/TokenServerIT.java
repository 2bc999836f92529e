package dev.kopi.it.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.registry.TokenServer.Scope;
import dev.kopi.it.registry.TokenServer.TokenRequest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The token server against the real registry, with skopeo as the client: per-user scopes, anonymous pulls, the
 * OAuth2 refresh-token flow (auth.json {@code identitytoken}), {@code --registry-token}, both signature algorithms,
 * and the JWT's form.
 */
class TokenServerIT {
    @RegisterExtension
    static final RegistryServer RS256 = RegistryServer.token();
    @RegisterExtension
    static final RegistryServer ES256 = RegistryServer.builder()
            .token(TokenServer.defaults().algorithm(TokenServer.Algorithm.ES256)).build();

    @RegisterExtension
    static final RegistryServer TLS_HTTPS_REALM = RegistryServer.builder().tls()
            .token(TokenServer.defaults().algorithm(TokenServer.Algorithm.ES256).https(true)).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** failNext on the ES256 token server must not hit another test's requests. */
    private static final String ES256_LOCK = "TokenServerIT.ES256";

    @TempDir
    Path tmp;

    private static List<String> tls(RegistryServer reg, String prefix) {
        return reg.tlsArgs(prefix);
    }

    private static String[] args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(x -> out.add(x.toString()));
            } else {
                out.add(p.toString());
            }
        }
        return out.toArray(String[]::new);
    }

    @ParameterizedTest
    @EnumSource(TokenServer.Algorithm.class)
    @ResourceLock(ES256_LOCK)
    void aliceGetsPushAndPullScopes(TokenServer.Algorithm alg) {
        RegistryServer reg = alg == TokenServer.Algorithm.RS256 ? RS256 : ES256;
        assertThat(reg.tokenServer().algorithm()).isEqualTo(alg);
        Sandbox sb = new Sandbox(tmp);
        String ref = reg.ref("alice/single:v1");
        sb.skopeo(args("copy", reg.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(), ref)).assertSuccess();
        CommandResult debug = sb.skopeo(args("--debug", "inspect", "--raw", reg.args("", Credentials.ALICE), ref))
                .assertSuccess();
        assertThat(reg.tags("alice/single")).containsExactly("v1");
        assertThat(reg.tokenServer().secrets()).isNotEmpty().allSatisfy(secret -> assertThat(debug.stdout()
                + debug.stderr()).as("--debug output never shows a password or token").doesNotContain(secret));

        List<TokenRequest> mine = reg.tokenServer().requests().stream()
                .filter(r -> "alice".equals(r.user()) && r.requested().stream()
                        .anyMatch(s -> s.name().equals("alice/single")))
                .toList();
        assertThat(mine).as("token requests for alice/single").isNotEmpty();
        TokenRequest push = mine.get(0);
        assertThat(push.method()).isEqualTo("GET");
        assertThat(push.grantType()).isEqualTo("basic");
        assertThat(push.account()).isEqualTo("alice");
        assertThat(push.service()).isEqualTo(reg.tokenServer().service());
        assertThat(push.status()).isEqualTo(200);
        assertThat(push.requested()).contains(Scope.repository("alice/single", "pull", "push"));
        assertThat(push.granted()).contains(Scope.repository("alice/single", "pull", "push"));
    }

    @Test
    void httpsRealmBehindATlsRegistry() {
        Sandbox sb = new Sandbox(tmp);
        assertThat(TLS_HTTPS_REALM.tokenServer().realm()).startsWith("https://127.0.0.1:");
        String ref = TLS_HTTPS_REALM.ref("secure/single:v1");
        sb.skopeo(args("copy", TLS_HTTPS_REALM.destArgs(), TestImage.SINGLE.ociRef(), ref)).assertSuccess();
        sb.skopeo(args("inspect", "--raw", TLS_HTTPS_REALM.args(), ref)).assertSuccess();
        assertThat(TLS_HTTPS_REALM.tokenServer().requests()).isNotEmpty()
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    }

    @Test
    void bobMayPullButNotPush() {
        Sandbox sb = new Sandbox(tmp);
        String ref = RS256.ref("bob/single:v1");
        sb.skopeo(args("copy", RS256.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(), ref))
                .assertSuccess();
        sb.skopeo(args("inspect", "--raw", RS256.args("", Credentials.BOB), ref)).assertSuccess();

        CommandResult push = sb.skopeo(args("copy", RS256.args("dest-", Credentials.BOB), TestImage.SINGLE.ociRef(),
                RS256.ref("bob/single:v2")));
        assertThat(push.exitCode()).as("%s", push).isEqualTo(1);
        assertThat(push.stderr()).contains("denied: requested access to the resource is denied");
        assertThat(RS256.tags("bob/single")).containsExactly("v1");
        assertThat(RS256.tokenServer().requests()).anySatisfy(r -> {
            assertThat(r.user()).isEqualTo("bob");
            assertThat(r.requested()).contains(Scope.repository("bob/single", "pull", "push"));
            assertThat(r.granted()).containsExactly(Scope.repository("bob/single", "pull"));
        });
    }

    @Test
    void anonymousMayPullPublicOnly() {
        Sandbox sb = new Sandbox(tmp);
        sb.skopeo(args("copy", RS256.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(),
                RS256.ref("public/single:v1"))).assertSuccess();
        sb.skopeo(args("copy", RS256.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(),
                RS256.ref("private/single:v1"))).assertSuccess();

        sb.skopeo(args("inspect", "--raw", tls(RS256, ""), RS256.ref("public/single:v1"))).assertSuccess();
        CommandResult denied = sb.skopeo(args("inspect", "--raw", tls(RS256, ""), RS256.ref("private/single:v1")));
        assertThat(denied.exitCode()).as("%s", denied).isEqualTo(1);
        assertThat(denied.stderr()).containsPattern("unauthorized|denied");
        assertThat(RS256.tokenServer().requests()).anySatisfy(r -> {
            assertThat(r.grantType()).isEqualTo("anonymous");
            assertThat(r.user()).isNull();
            assertThat(r.requested()).containsExactly(Scope.repository("public/single", "pull"));
            assertThat(r.granted()).containsExactly(Scope.repository("public/single", "pull"));
        });
    }

    @Test
    void identityTokenUsesTheOauth2RefreshFlow() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        String ref = RS256.ref("refresh/single:v1");
        sb.skopeo(args("copy", RS256.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(), ref))
                .assertSuccess();

        String refresh = RS256.tokenServer().refreshTokenFor(Credentials.ALICE);
        Path authFile = authJson(sb, "alice", refresh);
        sb.skopeo(args("inspect", "--raw", "--authfile", authFile, tls(RS256, ""), ref)).assertSuccess();
        assertThat(RS256.tokenServer().requests()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.grantType()).isEqualTo("refresh_token");
            assertThat(r.user()).isEqualTo("alice");
            assertThat(r.clientId()).isEqualTo("containers/image");
            assertThat(r.granted()).contains(Scope.repository("refresh/single", "pull"));
        });

        Path bogus = authJson(sb, "alice", "kopi-test-refresh-unknown");
        CommandResult r = sb.skopeo(args("inspect", "--raw", "--authfile", bogus, tls(RS256, ""), ref));
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).contains("unauthorized").contains("invalid refresh token");
    }

    private static Path authJson(Sandbox sb, String user, String identityToken) throws Exception {
        Path file = Files.createTempFile(sb.root(), "auth", ".json");
        String auth = Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, "{\"auths\":{\"" + RS256.hostPort() + "\":{\"auth\":\"" + auth
                + "\",\"identitytoken\":\"" + identityToken + "\"}}}\n");
        return file;
    }

    @Test
    void registryTokenFlagWithAMintedToken() {
        Sandbox sb = new Sandbox(tmp);
        String ref = RS256.ref("minted/single:v1");
        sb.skopeo(args("copy", RS256.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(), ref))
                .assertSuccess();
        String good = RS256.tokenServer().mintToken("carol", List.of(Scope.repository("minted/single", "pull")));
        sb.skopeo(args("inspect", "--raw", "--registry-token", good, tls(RS256, ""), ref)).assertSuccess();

        String other = RS256.tokenServer().mintToken("carol", List.of(Scope.repository("elsewhere", "pull")));
        CommandResult r = sb.skopeo(args("inspect", "--raw", "--registry-token", other, tls(RS256, ""), ref));
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).containsPattern("unauthorized|denied");
    }

    @Test
    @ResourceLock(ES256_LOCK)
    void tokenServerFailuresReachTheClient() {
        Sandbox sb = new Sandbox(tmp);
        TokenServer ts = ES256.tokenServer();
        ts.failNext(1, 503);
        CommandResult r = sb.skopeo(args("copy", ES256.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(),
                ES256.ref("failing/single:v1")));
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).contains("503");
        // the next attempt gets a token again
        sb.skopeo(args("copy", ES256.args("dest-", Credentials.ALICE), TestImage.SINGLE.ociRef(),
                ES256.ref("failing/single:v1"))).assertSuccess();
    }

    @Test
    void getAndPostAnswersFollowTheSpec() throws Exception {
        TokenServer ts = RS256.tokenServer();
        HttpClient http = HttpClient.newHttpClient();
        String scope = URLEncoder.encode("repository:spec/x:pull,push", StandardCharsets.UTF_8);

        // GET with Basic auth and offline_token=true
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(ts.realm() + "?service="
                + ts.service() + "&scope=" + scope + "&account=alice&offline_token=true"))
                .header("Authorization", Credentials.ALICE.basicAuthorization()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(get.body());
        assertThat(body.path("token").asText()).isEqualTo(body.path("access_token").asText()).isNotEmpty();
        assertThat(body.path("expires_in").asInt()).isEqualTo(300);
        assertThat(body.path("issued_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        String refresh = body.path("refresh_token").asText();
        assertThat(refresh).isNotEmpty();
        assertJwt(body.path("token").asText(), ts, "alice", "spec/x", List.of("pull", "push"));

        // GET with a wrong password: 401, Basic challenge, UNAUTHORIZED error body
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(ts.realm() + "?service="
                + ts.service() + "&scope=" + scope)).header("Authorization", Credentials.ALICE_WRONG
                        .basicAuthorization()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Basic realm="));
        assertThat(JSON.readTree(wrong.body()).path("errors").get(0).path("code").asText()).isEqualTo("UNAUTHORIZED");

        // POST password grant with access_type=offline; then the refresh_token grant
        JsonNode pw = post(http, ts, "grant_type=password&username=bob&password=" + Credentials.BOB.password()
                + "&service=" + ts.service() + "&client_id=kopi-test&access_type=offline&scope=" + scope);
        assertThat(pw.path("scope").asText()).isEqualTo("repository:spec/x:pull");
        assertThat(pw.has("token")).isFalse();
        assertJwt(pw.path("access_token").asText(), ts, "bob", "spec/x", List.of("pull"));
        String bobRefresh = pw.path("refresh_token").asText();
        JsonNode again = post(http, ts, "grant_type=refresh_token&refresh_token=" + bobRefresh + "&service="
                + ts.service() + "&client_id=kopi-test&scope=" + scope);
        assertThat(again.path("refresh_token").asText()).isEqualTo(bobRefresh);
        assertJwt(again.path("access_token").asText(), ts, "bob", "spec/x", List.of("pull"));

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(ts.realm()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=bob&password=x&service="
                        + ts.service())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).as("client_id is required").isEqualTo(400);
        HttpResponse<String> badPw = http.send(HttpRequest.newBuilder(URI.create(ts.realm()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=bob&password=x&service="
                        + ts.service() + "&client_id=kopi-test")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badPw.statusCode()).isEqualTo(401);
    }

    private static JsonNode post(HttpClient http, TokenServer ts, String form) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ts.realm()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", ts.realm(), r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Decodes and checks a JWT the way distribution 2.8 does: x5c chain to the CA, signature, claims. */
    private static void assertJwt(String jwt, TokenServer ts, String sub, String repo, List<String> actions)
            throws Exception {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        Base64.Decoder d = Base64.getUrlDecoder();
        JsonNode header = JSON.readTree(d.decode(parts[0]));
        JsonNode claims = JSON.readTree(d.decode(parts[1]));
        assertThat(header.path("alg").asText()).isEqualTo(ts.algorithm().name());
        assertThat(header.path("x5c")).hasSize(2);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate leaf = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(
                Base64.getDecoder().decode(header.path("x5c").get(0).asText())));
        X509Certificate caCert = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(
                Base64.getDecoder().decode(header.path("x5c").get(1).asText())));
        assertThat(caCert).isEqualTo(RS256.ca().x509());
        leaf.verify(caCert.getPublicKey());
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initVerify(leaf);
        sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(sig.verify(d.decode(parts[2]))).as("JWT signature").isTrue();
        assertThat(claims.path("iss").asText()).isEqualTo(ts.issuer());
        assertThat(claims.path("aud").isTextual()).as("aud is one string (distribution 2.8)").isTrue();
        assertThat(claims.path("aud").asText()).isEqualTo(ts.service());
        assertThat(claims.path("sub").asText()).isEqualTo(sub);
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(300);
        JsonNode access = claims.path("access");
        assertThat(access).hasSize(1);
        assertThat(access.get(0).path("type").asText()).isEqualTo("repository");
        assertThat(access.get(0).path("name").asText()).isEqualTo(repo);
        List<String> acts = new ArrayList<>();
        access.get(0).path("actions").forEach(a -> acts.add(a.asText()));
        assertThat(acts).isEqualTo(actions);
    }
}
