package io.entrepot.http;

import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.ManifestStore.PutResult;
import io.entrepot.registry.MediaTypes;
import io.entrepot.registry.Reference;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StoredManifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;

/** {@code HEAD}, {@code GET}, {@code PUT} and {@code DELETE /v2/<name>/manifests/<reference>}. */
final class ManifestHandler {

    /** Request attribute set to the media type of a manifest that PUT stored, for metrics. */
    static final String STORED_MEDIA_TYPE = "io.entrepot.manifest.storedMediaType";

    private final Registry registry;
    private final boolean deleteEnabled;
    private final long maxManifestSize;

    ManifestHandler(Registry registry, boolean deleteEnabled, long maxManifestSize) {
        this.registry = registry;
        this.deleteEnabled = deleteEnabled;
        this.maxManifestSize = maxManifestSize;
    }

    // HEAD|GET /v2/<name>/manifests/<reference>   [Accept: ...]
    void getManifest(Exchange exchange, RepositoryName repository, Reference reference) throws IOException {
        StoredManifest manifest = registry.manifests().get(repository, reference);

        List<String> accepted = acceptedTypes(exchange);
        boolean isOci = manifest.mediaType().equals(MediaTypes.OCI_MANIFEST) || manifest.mediaType().equals(MediaTypes.OCI_INDEX);
        if (isOci && !accepted.isEmpty() && !accepts(accepted, manifest.mediaType())) {
            // Distribution responds the same way: an old client that lists only Docker types gets a 404
            // it understands rather than a document it cannot parse.
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + repository + ":" + reference + " has media type "
                    + manifest.mediaType() + ", which the request's Accept header does not include");
        }

        exchange.setHeader("Docker-Content-Digest", manifest.digest().toString());
        exchange.setHeader(HttpHeader.ETAG, "\"" + manifest.digest() + "\"");
        exchange.send(200, manifest.mediaType(), manifest.content());
    }

    // PUT /v2/<name>/manifests/<reference>   Content-Type: <manifest media type>
    void putManifest(Exchange exchange, RepositoryName repository, Reference reference) throws IOException {
        byte[] content = readLimited(exchange);

        PutResult result = registry.manifests().put(repository, reference, content, exchange.header(HttpHeader.CONTENT_TYPE));

        exchange.request().setAttribute(STORED_MEDIA_TYPE, result.stored().mediaType());
        String digest = result.stored().digest().toString();
        exchange.setHeader(HttpHeader.LOCATION, exchange.urls().to(exchange.request(), "v2/" + repository + "/manifests/" + digest));
        exchange.setHeader("Docker-Content-Digest", digest);
        if (result.manifest().subject() != null) {
            exchange.setHeader("OCI-Subject", result.manifest().subject().digest().toString());
        }
        exchange.send(201);
    }

    // DELETE /v2/<name>/manifests/<reference>
    void deleteManifest(Exchange exchange, RepositoryName repository, Reference reference) throws IOException {
        if (!deleteEnabled) {
            throw RegistryException.unsupported("manifest deletion is disabled; set storage.delete.enabled to true to allow it");
        }
        registry.manifests().delete(repository, reference);
        exchange.send(202);
    }

    /** Reads the body, rejecting it as soon as it exceeds the configured maximum. */
    private byte[] readLimited(Exchange exchange) throws IOException {
        long declared = exchange.contentLength();
        if (declared > maxManifestSize) {
            throw tooLarge(declared + " bytes");
        }
        try (InputStream in = exchange.body()) {
            byte[] content = in.readNBytes((int) maxManifestSize + 1);
            if (content.length > maxManifestSize) {
                throw tooLarge("more than " + maxManifestSize + " bytes");
            }
            return content;
        }
    }

    private RegistryException tooLarge(String size) {
        return new RegistryException(ErrorCode.MANIFEST_TOO_LARGE,
                "manifest of " + size + " exceeds the limit of " + maxManifestSize + " bytes (http.maxmanifestsize)");
    }

    private static List<String> acceptedTypes(Exchange exchange) {
        return exchange.request().getHeaders().getValuesList(HttpHeader.ACCEPT).stream()
                .flatMap(value -> java.util.Arrays.stream(value.split(",")))
                .map(MediaTypes::base)
                .filter(type -> !type.isEmpty())
                .toList();
    }

    private static boolean accepts(List<String> accepted, String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT);
        return accepted.contains(type) || accepted.contains("*/*") || accepted.contains("application/*");
    }
}
