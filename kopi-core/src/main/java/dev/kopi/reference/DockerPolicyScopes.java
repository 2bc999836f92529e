package dev.kopi.reference;

import java.util.ArrayList;
import java.util.List;

/**
 * policy.json scopes for named Docker references, shared by the {@code docker}, {@code docker-daemon} and other
 * transports whose images have a Docker name (containers/image {@code docker/policyconfiguration}).
 */
public final class DockerPolicyScopes {
    private DockerPolicyScopes() {
    }

    /**
     * The identity scope: {@code host/ns/repo:tag} or {@code host/ns/repo@digest}.
     *
     * @throws IllegalArgumentException when the reference has neither or both of a tag and a digest (transports refuse
     *     such references when parsing)
     */
    public static String identity(DockerReference ref) {
        if (ref.hasTagAndDigest()) {
            throw new IllegalArgumentException(
                    "Unexpected Docker reference " + ref.familiarString() + " with both a name and a digest");
        }
        if (ref.isNameOnly()) {
            throw new IllegalArgumentException("Internal inconsistency: Docker reference " + ref.familiarString()
                    + " with neither a tag nor a digest");
        }
        return ref.toString();
    }

    /**
     * The namespaces, most specific first: the repository, each parent namespace up to the host (with its port),
     * then {@code *.domain} wildcards for each parent domain of the host without its port. For
     * {@code example.com:8443/ns/repo}: {@code example.com:8443/ns/repo}, {@code example.com:8443/ns},
     * {@code example.com:8443}, {@code *.com}.
     */
    public static List<String> namespaces(DockerReference ref) {
        List<String> res = new ArrayList<>();
        String name = ref.name();
        while (true) {
            res.add(name);
            int lastSlash = name.lastIndexOf('/');
            if (lastSlash < 0) {
                break;
            }
            name = name.substring(0, lastSlash);
        }
        int portColon = name.indexOf(':');
        if (portColon >= 0) {
            name = name.substring(0, portColon);
        }
        while (true) {
            int firstDot = name.indexOf('.');
            if (firstDot < 0) {
                break;
            }
            name = name.substring(firstDot + 1);
            res.add("*." + name);
        }
        return List.copyOf(res);
    }
}
