package io.entrepot.storage.middleware;

import io.entrepot.storage.StorageDriver;
import java.net.URI;
import java.util.Optional;

/**
 * The {@code redirect} storage middleware: blob downloads redirect to {@code baseurl} followed by
 * the storage path, unsigned, for a CDN or web server that serves the storage's content itself.
 */
public final class BaseUrlRedirects extends ForwardingStorageDriver {

    private final String baseUrl;

    public BaseUrlRedirects(StorageDriver delegate, URI baseUrl) {
        super(delegate);
        this.baseUrl = CloudFrontRedirects.withoutTrailingSlash(baseUrl);
    }

    @Override
    public Optional<String> redirectUrl(String path, String method) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Optional.empty();
        }
        return Optional.of(baseUrl + path);
    }
}
