/**
 * Test infrastructure for the {@code docker://} transport: a real docker-distribution registry on loopback in four
 * setups, a Docker-token-spec token server, and a counting, fault-injecting proxy.
 *
 * <pre>{@code
 * class MyRegistryIT {
 *     @RegisterExtension static final RegistryServer PLAIN = RegistryServer.plain();    // http, --tls-verify=false
 *     @RegisterExtension static final RegistryServer TLS = RegistryServer.tls();        // https, test CA
 *     @RegisterExtension static final RegistryServer BASIC = RegistryServer.htpasswd(); // alice, bob (Basic)
 *     @RegisterExtension static final RegistryServer TOKEN = RegistryServer.token();    // TokenServer.defaults()
 *     @TempDir Path tmp;
 *
 *     @Test void push() {
 *         Sandbox sb = new Sandbox(tmp);
 *         List<String> a = new ArrayList<>(List.of("copy"));
 *         a.addAll(TLS.destArgs());                         // --dest-cert-dir <certs.d/127.0.0.1:PORT>
 *         a.addAll(List.of(TestImage.MULTI.ociRef(), TLS.ref("app:1")));
 *         sb.kopi(a.toArray(String[]::new)).assertSuccess();
 *         assertThat(TLS.missingBlobs("app", "1")).isEmpty();
 *
 *         try (FaultProxy proxy = FaultProxy.start(PLAIN)) {  // clients use proxy.ref(...) / proxy.args()
 *             proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.resetMidBody());
 *             ...
 *             assertThat(proxy.uploadedBytesByDigest()).isEmpty();
 *         }
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.kopi.it.registry.RegistryServer}: the registry process (one per test class, as a static
 *       {@code @RegisterExtension}); its {@link dev.kopi.it.registry.RegistryEndpoint} methods give references and
 *       client flags; {@code api(...)}, {@code hasManifest}, {@code hasBlob}, {@code tags}, {@code catalog},
 *       {@code missingBlobs} look at the registry directly as an oracle.</li>
 *   <li>{@link dev.kopi.it.registry.TokenServer}: realm, users and grants, recorded token requests, minted tokens,
 *       refresh tokens, injected token-server failures.</li>
 *   <li>{@link dev.kopi.it.registry.FaultProxy}, {@link dev.kopi.it.registry.Fault},
 *       {@link dev.kopi.it.registry.Exchange}: what went over the wire, and what broke on purpose.</li>
 *   <li>{@link dev.kopi.it.registry.TestCa} (openssl), {@link dev.kopi.it.registry.Bcrypt} (htpasswd hashes),
 *       {@link dev.kopi.it.registry.Credentials} (the test users).</li>
 * </ul>
 */
package dev.kopi.it.registry;
