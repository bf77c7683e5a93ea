package io.entrepot.storage.middleware;

import io.entrepot.storage.StorageDriver;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code cloudfront} storage middleware: blob downloads redirect to {@code baseurl} followed by
 * the storage path, signed with a CloudFront canned policy that expires after {@code duration}.
 * The distribution's origin must serve the bucket from the driver's root directory, so that the
 * storage path is the object's key below it.
 */
public final class CloudFrontRedirects extends ForwardingStorageDriver {

    private final String baseUrl;
    private final CloudFrontSigner signer;
    private final Duration duration;
    private final Clock clock;

    public CloudFrontRedirects(StorageDriver delegate, URI baseUrl, CloudFrontSigner signer, Duration duration, Clock clock) {
        super(delegate);
        this.baseUrl = withoutTrailingSlash(baseUrl);
        this.signer = signer;
        this.duration = duration;
        this.clock = clock;
    }

    @Override
    public Optional<String> redirectUrl(String path, String method) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Optional.empty();
        }
        return Optional.of(signer.sign(baseUrl + path, clock.instant().plus(duration)));
    }

    static String withoutTrailingSlash(URI url) {
        String text = url.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
