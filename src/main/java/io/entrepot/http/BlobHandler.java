package io.entrepot.http;

import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;

/** {@code HEAD}, {@code GET} and {@code DELETE /v2/<name>/blobs/<digest>}. */
final class BlobHandler {

    private final Registry registry;
    private final boolean deleteEnabled;
    private final boolean redirectEnabled;

    BlobHandler(Registry registry, boolean deleteEnabled, boolean redirectEnabled) {
        this.registry = registry;
        this.deleteEnabled = deleteEnabled;
        this.redirectEnabled = redirectEnabled;
    }

    /** Returns the blob's descriptor if the repository links it and its bytes exist. */
    private Descriptor stat(RepositoryName repository, Digest digest) throws IOException {
        if (!registry.layers().contains(repository, digest)) {
            throw RegistryException.blobUnknown(digest);
        }
        return registry.blobs().stat(digest).orElseThrow(() -> RegistryException.blobUnknown(digest));
    }

    // HEAD|GET /v2/<name>/blobs/<digest>   [Range: bytes=first-last]
    void getBlob(Exchange exchange, RepositoryName repository, Digest digest) throws IOException {
        Descriptor descriptor = stat(repository, digest);

        if (!exchange.isHead() && redirectEnabled) {
            Optional<String> url = registry.blobs().redirectUrl(digest, exchange.method());
            if (url.isPresent()) {
                exchange.setHeader(HttpHeader.LOCATION, url.get());
                exchange.setHeader("Docker-Content-Digest", digest.toString());
                exchange.send(307);
                return;
            }
        }

        String rangeHeader = exchange.header(HttpHeader.RANGE);
        ByteRange range = rangeHeader == null ? null : ByteRange.parseRange(rangeHeader, descriptor.size());
        long first = range == null ? 0 : range.first();
        long length = range == null ? descriptor.size() : range.length();

        exchange.setHeader("Docker-Content-Digest", digest.toString());
        exchange.setHeader(HttpHeader.ETAG, "\"" + digest + "\"");
        exchange.setHeader(HttpHeader.CACHE_CONTROL, "max-age=31536000");
        exchange.setHeader(HttpHeader.ACCEPT_RANGES, "bytes");
        exchange.setHeader(HttpHeader.CONTENT_TYPE, Descriptor.OCTET_STREAM);
        exchange.setHeader(HttpHeader.CONTENT_LENGTH, length);
        if (range != null) {
            exchange.setHeader(HttpHeader.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + descriptor.size());
        }
        exchange.response().setStatus(range == null ? 200 : 206);
        if (exchange.isHead()) {
            return;
        }

        try (InputStream in = registry.blobs().open(digest, first); OutputStream out = exchange.stream()) {
            copy(in, out, length);
        }
    }

    // DELETE /v2/<name>/blobs/<digest>
    void deleteBlob(Exchange exchange, RepositoryName repository, Digest digest) throws IOException {
        if (!deleteEnabled) {
            throw RegistryException.unsupported("blob deletion is disabled; set storage.delete.enabled to true to allow it");
        }
        if (!registry.layers().unlink(repository, digest)) {
            throw RegistryException.blobUnknown(digest);
        }
        exchange.setHeader("Docker-Content-Digest", digest.toString());
        exchange.send(202);
    }

    /** Copies exactly {@code length} bytes; the blob's stored size is authoritative. */
    static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[128 * 1024];
        long remaining = length;
        while (remaining > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (read < 0) {
                throw new IOException("blob ended " + remaining + " bytes before its stored size");
            }
            out.write(buffer, 0, read);
            remaining -= read;
        }
    }
}
