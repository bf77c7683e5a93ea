package io.entrepot.storage.s3;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Builds the SDK's S3 client and presigner from {@link S3DriverOptions}, with bounded timeouts,
 * jittered retries that are counted, and no access to an instance metadata endpoint unless the
 * default credentials chain is asked for.
 */
final class S3Clients {

    // Exponential backoff with full jitter: 100 ms doubling to 20 s for 5xx responses, and a slower
    // start for throttling (SlowDown), whose point is to let the server recover.
    private static final java.time.Duration BASE_DELAY = java.time.Duration.ofMillis(100);
    private static final java.time.Duration THROTTLING_BASE_DELAY = java.time.Duration.ofMillis(500);
    private static final java.time.Duration MAX_DELAY = java.time.Duration.ofSeconds(20);

    static {
        // Credentials and region are explicit or come from the environment and profile files.
        // The EC2 metadata endpoint is consulted only by the default credentials chain, and only
        // where the operator did not disable it with AWS_EC2_METADATA_DISABLED.
        if (System.getProperty("aws.disableEc2Metadata") == null && "true".equalsIgnoreCase(System.getenv("AWS_EC2_METADATA_DISABLED"))) {
            System.setProperty("aws.disableEc2Metadata", "true");
        }
    }

    private S3Clients() {}

    /**
     * Builds the S3 client over {@code httpClient}. Closing the S3 client leaves an HTTP client
     * passed in this way open, so its owner closes both.
     */
    static S3Client client(S3DriverOptions options, SdkHttpClient httpClient, LongAdder retries) {
        var builder = S3Client.builder()
                .region(Region.of(options.region()))
                .credentialsProvider(credentials(options))
                .httpClient(httpClient)
                .serviceConfiguration(serviceConfiguration(options))
                // S3-compatible servers (MinIO, Ceph RGW, S3Proxy) do not all accept the
                // trailing checksums that the SDK otherwise adds to every upload.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(overrides(options, retries));
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        } else if (options.dualStack()) {
            builder.dualstackEnabled(true);
        }
        return builder.build();
    }

    static S3Presigner presigner(S3DriverOptions options) {
        var builder = S3Presigner.builder()
                .region(Region.of(options.region()))
                .credentialsProvider(credentials(options))
                .serviceConfiguration(serviceConfiguration(options));
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        } else if (options.dualStack()) {
            builder.dualstackEnabled(true);
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3DriverOptions options) {
        if (options.accessKey() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        if (options.sessionToken() != null) {
            return StaticCredentialsProvider.create(
                    AwsSessionCredentials.create(options.accessKey(), options.secretKey(), options.sessionToken()));
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(options.accessKey(), options.secretKey()));
    }

    private static S3Configuration serviceConfiguration(S3DriverOptions options) {
        return S3Configuration.builder().pathStyleAccessEnabled(options.forcePathStyle()).build();
    }

    /** Builds the pool of HTTP connections to the endpoint, which the caller closes. */
    static SdkHttpClient httpClient(S3DriverOptions options) {
        var builder = ApacheHttpClient.builder()
                .maxConnections(options.maxConnections())
                .connectionTimeout(options.connectTimeout())
                .socketTimeout(options.socketTimeout());
        if (!options.skipVerify()) {
            return builder.build();
        }
        return builder.buildWithDefaults(AttributeMap.builder()
                .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true)
                .build());
    }

    private static ClientOverrideConfiguration overrides(S3DriverOptions options, LongAdder retries) {
        var retryStrategy = AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(options.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(BASE_DELAY, MAX_DELAY))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(THROTTLING_BASE_DELAY, MAX_DELAY))
                // The token bucket would stop retrying after a burst of 5xx responses and fail
                // requests that one more attempt would complete; the attempt limit bounds retries.
                .circuitBreakerEnabled(false)
                .build();
        var builder = ClientOverrideConfiguration.builder()
                .retryStrategy(retryStrategy)
                .addExecutionInterceptor(new RetryCountingInterceptor(retries));
        if (options.userAgent() != null && !options.userAgent().isBlank()) {
            builder.putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, options.userAgent());
        }
        return builder.build();
    }

    /** Counts every attempt after the first of each request, that is every retry the SDK makes. */
    private static final class RetryCountingInterceptor implements ExecutionInterceptor {

        private static final ExecutionAttribute<AtomicInteger> ATTEMPTS = new ExecutionAttribute<>("EntrepotAttempts");

        private final LongAdder retries;

        RetryCountingInterceptor(LongAdder retries) {
            this.retries = retries;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            attributes.putAttribute(ATTEMPTS, new AtomicInteger());
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            AtomicInteger attempts = attributes.getAttribute(ATTEMPTS);
            if (attempts != null && attempts.incrementAndGet() > 1) {
                retries.increment();
            }
        }
    }
}
