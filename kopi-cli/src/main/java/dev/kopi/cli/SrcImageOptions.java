package dev.kopi.cli;

import picocli.CommandLine.Option;

/** Image flags with the prefix "src-". */
final class SrcImageOptions extends ImageFlags {
    @Option(names = "--src-authfile", paramLabel = "string", description = "path of the authentication file. Default is $${XDG_RUNTIME_DIR}/containers/auth.json")
    String authfile;
    @Option(names = "--src-creds", paramLabel = "USERNAME[:PASSWORD]", description = "Use USERNAME[:PASSWORD] for accessing the registry")
    String creds;
    @Option(names = "--src-username", paramLabel = "string", description = "Username for accessing the registry")
    String username;
    @Option(names = "--src-password", paramLabel = "string", description = "Password for accessing the registry")
    String password;
    @Option(names = "--src-registry-token", paramLabel = "string", description = "Provide a Bearer token for accessing the registry")
    String registryToken;
    @Option(names = "--src-cert-dir", paramLabel = "PATH", description = "use certificates at PATH (*.crt, *.cert, *.key) to connect to the registry or daemon")
    String certDir;
    @Option(names = "--src-tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "bool", description = "require HTTPS and verify certificates when talking to the container registry or daemon")
    Boolean tlsVerify;
    @Option(names = "--src-no-creds", description = "Access the registry anonymously")
    boolean noCreds;
    @Option(names = "--src-shared-blob-dir", paramLabel = "DIRECTORY", description = "DIRECTORY to use to share blobs across OCI repositories")
    String sharedBlobDir;
    @Option(names = "--src-daemon-host", paramLabel = "HOST", description = "use docker daemon host at HOST (docker-daemon: only)")
    String daemonHost;

    @Override String authfile() { return authfile; }
    @Override String creds() { return creds; }
    @Override String username() { return username; }
    @Override String password() { return password; }
    @Override String registryToken() { return registryToken; }
    @Override String certDir() { return certDir; }
    @Override Boolean tlsVerify() { return tlsVerify; }
    @Override boolean noCreds() { return noCreds; }
    @Override String sharedBlobDir() { return sharedBlobDir; }
    @Override String daemonHost() { return daemonHost; }
}
