/**
 * kopi's own HTTP/1.1 client, for the registry ({@code docker://}) and Docker-daemon transports.
 *
 * <p>Why not the JDK's: {@code java.net.http.HttpClient} costs about a second of CPU to start and cannot use
 * unix sockets; {@code HttpURLConnection} cannot send PATCH. This one is built on {@code Socket},
 * {@code SSLSocket} and {@code SocketChannel(UNIX)}, loads the TLS stack only for https, and words its errors
 * like Go's net/http so skopeo's messages can be reproduced.
 *
 * <ul>
 *   <li>{@link dev.kopi.internal.http.HttpClient}: the client (builder, {@code send}, keep-alive pool, redirects,
 *       one retry on a stale connection, proxies, unix sockets).
 *   <li>{@link dev.kopi.internal.http.Request}, {@link dev.kopi.internal.http.RequestBody},
 *       {@link dev.kopi.internal.http.Headers}, {@link dev.kopi.internal.http.Response}: the messages.
 *   <li>{@link dev.kopi.internal.http.TlsSettings} (per {@code host:port}, for certs.d) and
 *       {@link dev.kopi.internal.http.HttpProxy}: connection settings.
 *   <li>{@link dev.kopi.internal.http.HttpException}: every transport failure, with a {@code Kind}.
 * </ul>
 */
package dev.kopi.internal.http;
