package dev.kopi.internal.http;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The only code path that touches the TLS stack; plain http and unix sockets never load it, which keeps
 * start-up cheap. Failures are worded as Go's crypto/tls and net/http word them.
 */
final class TlsConnector {
    private TlsConnector() {
    }

    /**
     * Runs the TLS handshake over {@code raw} for {@code host:port} (the name checked and sent as SNI) and
     * returns the TLS socket. {@code tls} maps {@code host:port} to the settings; null means the JDK default.
     */
    static Socket handshake(Socket raw, String host, int port, Function<String, TlsSettings> tls, int timeoutMillis)
            throws IOException {
        TlsSettings settings = tls == null ? null : tls.apply(PoolKey.joinHostPort(host, port));
        if (settings == null) {
            settings = TlsSettings.jdkDefault();
        }
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) settings.socketFactory().createSocket(raw, host, port, true);
        } catch (IOException e) {
            raw.close();
            throw new WireException(HttpException.Kind.TLS, "tls: " + Connection.errno(e), e);
        }
        try {
            SSLParameters p = ssl.getSSLParameters();
            if (settings.verifyHostname()) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!isIpLiteral(host)) {
                p.setServerNames(List.of(new SNIHostName(host)));
            }
            ssl.setSSLParameters(p);
            ssl.setSoTimeout(timeoutMillis);
            ssl.startHandshake();
            return ssl;
        } catch (IOException e) {
            try {
                ssl.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw describe(e, host);
        } catch (IllegalArgumentException e) {
            // SNIHostName rejects some names Go would send; report it as a TLS failure.
            try {
                ssl.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new WireException(HttpException.Kind.TLS, "tls: " + e.getMessage(), e);
        }
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]+(\\.[0-9]+){3}");
    }

    private static WireException describe(IOException e, String host) {
        if (e instanceof SocketTimeoutException) {
            return new WireException(HttpException.Kind.TIMEOUT, "net/http: TLS handshake timeout", e);
        }
        if (e instanceof EOFException) {
            return new WireException(HttpException.Kind.CONNECTION, "EOF", e);
        }
        if (!(e instanceof SSLException)) {
            return new WireException(HttpException.Kind.CONNECTION, "read: " + Connection.errno(e), e);
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("Unsupported or unrecognized SSL message") || msg.contains("plaintext connection?")) {
            return new WireException(HttpException.Kind.PROTOCOL, "http: server gave HTTP response to HTTPS client", e);
        }
        if (msg.contains("Remote host terminated the handshake")) {
            return new WireException(HttpException.Kind.CONNECTION, "EOF", e);
        }
        if (msg.startsWith("Received fatal alert: ")) {
            return new WireException(HttpException.Kind.TLS,
                    "remote error: tls: " + msg.substring("Received fatal alert: ".length()).replace('_', ' '), e);
        }
        String prefix = "tls: failed to verify certificate: x509: ";
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CertificateExpiredException || c instanceof CertificateNotYetValidException) {
                return new WireException(HttpException.Kind.TLS,
                        prefix + "certificate has expired or is not yet valid: " + c.getMessage(), e);
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            String cm = String.valueOf(c.getMessage());
            if (cm.startsWith("No subject alternative") || cm.startsWith("No name matching")) {
                return new WireException(HttpException.Kind.TLS, prefix + "certificate is not valid for " + host, e);
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            String cm = String.valueOf(c.getMessage());
            if (c instanceof CertPathValidatorException || cm.contains("PKIX path building failed")
                    || cm.contains("unable to find valid certification path")) {
                return new WireException(HttpException.Kind.TLS, prefix + "certificate signed by unknown authority", e);
            }
        }
        return new WireException(HttpException.Kind.TLS, "tls: " + Connection.lowerFirst(msg), e);
    }
}
