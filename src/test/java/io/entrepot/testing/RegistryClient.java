package io.entrepot.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A thin HTTP client for driving the registry API in tests with real requests. */
public final class RegistryClient {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final URI base;

    /** @param base the registry's base URL, ending with "/" */
    public RegistryClient(URI base) {
        this.base = base;
    }

    public URI resolve(String path) {
        if (path.startsWith("http://") || path.startsWith("https://")) {
            return URI.create(path);
        }
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** Sends a request; {@code headers} alternate names and values. */
    public HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<byte[]> get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    public HttpResponse<byte[]> head(String path, String... headers) {
        return send("HEAD", path, null, headers);
    }

    public HttpResponse<byte[]> delete(String path) {
        return send("DELETE", path, null);
    }

    /** Uploads {@code content} as one blob with {@code POST ?digest=} and returns its digest. */
    public String pushBlob(String repository, byte[] content) {
        String digest = sha256(content);
        HttpResponse<byte[]> response = send("POST", "v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream");
        if (response.statusCode() != 201) {
            throw new AssertionError("blob push failed: " + response.statusCode() + " " + new String(response.body()));
        }
        return digest;
    }

    /** Stores a manifest and returns the response. */
    public HttpResponse<byte[]> putManifest(String repository, String reference, String mediaType, byte[] content) {
        return send("PUT", "v2/" + repository + "/manifests/" + reference, content, "Content-Type", mediaType);
    }

    public static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
