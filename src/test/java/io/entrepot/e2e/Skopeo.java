package io.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives skopeo against registries on loopback over plain HTTP.
 *
 * <p>Every call passes {@code --insecure-policy}, so no {@code /etc/containers/policy.json} is
 * needed, and turns TLS verification off, which makes skopeo fall back to HTTP.
 */
final class Skopeo {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private Skopeo() {}

    /**
     * Copies an image, with {@code --preserve-digests} so that skopeo fails rather than rewrite a
     * manifest, and with {@code --all} when {@code allArchitectures} is set.
     */
    static void copy(String source, String destination, boolean allArchitectures) {
        List<String> arguments = new ArrayList<>(List.of("copy", "--quiet", "--preserve-digests",
                "--src-tls-verify=false", "--dest-tls-verify=false"));
        if (allArchitectures) {
            arguments.add("--all");
        }
        arguments.add(source);
        arguments.add(destination);
        skopeo(arguments);
    }

    /** Returns the manifest or index bytes exactly as the registry serves them. */
    static byte[] inspectRaw(String reference) {
        return skopeo(List.of("inspect", "--raw", "--tls-verify=false", reference));
    }

    /** Returns the tags of a repository, {@code docker://<host>/<name>}, in the registry's order. */
    static List<String> listTags(String repository) {
        byte[] output = skopeo(List.of("list-tags", "--tls-verify=false", repository));
        try {
            List<String> tags = new ArrayList<>();
            for (JsonNode tag : OciLayout.JSON.readTree(output).path("Tags")) {
                tags.add(tag.asText());
            }
            return tags;
        } catch (IOException e) {
            throw new UncheckedIOException("invalid JSON from skopeo list-tags " + repository, e);
        }
    }

    /** Runs skopeo with {@code --insecure-policy} and {@code arguments}; fails the test when skopeo fails. */
    static byte[] skopeo(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(ExternalTools.require("skopeo").toString());
        command.add("--insecure-policy");
        command.addAll(arguments);
        return Commands.run(TIMEOUT, command);
    }
}
