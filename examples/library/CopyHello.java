import dev.kopi.InspectOptions;
import dev.kopi.InspectResult;
import dev.kopi.Kopi;
import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.CopyListener;
import dev.kopi.copy.CopyOptions;
import dev.kopi.copy.CopyResult;
import dev.kopi.policy.PolicyContext;

/**
 * Copies an image with the kopi library and inspects the copy: by default the bundled example image
 * (oci:examples/hello:latest) into a dir: layout.
 *
 * <pre>
 * java -cp kopi-cli/target/kopi.jar examples/library/CopyHello.java [SOURCE-IMAGE [DESTINATION-IMAGE]]
 * </pre>
 */
public final class CopyHello {
    public static void main(String[] args) throws Exception {
        String source = args.length > 0 ? args[0] : "oci:examples/hello:latest";
        String destination = args.length > 1 ? args[1] : "dir:/tmp/hello";

        // Progress arrives as events, from the copy's worker threads.
        CopyListener progress = new CopyListener() {
            @Override
            public void blobStarted(BlobInfo blob, boolean isConfig) {
                System.out.println("Copying " + (isConfig ? "config " : "blob ") + blob.digest());
            }

            @Override
            public void blobSkipped(BlobInfo blob, boolean isConfig) {
                System.out.println("  already there: " + blob.digest().encoded().substring(0, 12));
            }

            @Override
            public void blobDone(BlobInfo blob, boolean isConfig) {
                System.out.println("  done: " + blob.digest().encoded().substring(0, 12));
            }
        };
        // Like `skopeo --insecure-policy`; PolicyContext.load(PolicyContext.defaultPath()) applies policy.json.
        CopyOptions options = CopyOptions.defaults()
                .withPolicy(PolicyContext.insecureAcceptAnything())
                .withListener(progress);

        CopyResult result = Kopi.copy(source, destination, options);
        System.out.println("Copied " + source + " to " + destination + ": " + result.manifestDigest());

        InspectResult copied = Kopi.inspect(destination, InspectOptions.defaults());
        System.out.println(copied.json());
    }
}
