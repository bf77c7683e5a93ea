package io.entrepot.cache;

import io.entrepot.config.RedisConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lettuce clients and connections for the {@code redis} section: a single server, Sentinel or
 * Cluster, with its credentials and timeouts. Commands issued while the connection is down fail
 * at once instead of waiting in a queue.
 */
public final class RedisConnections {

    private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);

    private RedisConnections() {}

    /** Creates the client that {@code config.mode()} requires, which connects only in {@link #connect}. */
    public static AbstractRedisClient newClient(RedisConfig config) {
        return config.mode() == RedisConfig.Mode.CLUSTER ? clusterClient(config) : client(config);
    }

    /**
     * Opens a connection with {@code client}, made by {@link #newClient} for the same {@code config}.
     *
     * @throws io.lettuce.core.RedisException when Redis cannot be reached
     */
    public static StatefulConnection<String, String> connect(AbstractRedisClient client, RedisConfig config) {
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<String, String> connection = cluster.connect(StringCodec.UTF8);
            connectEveryNode(connection);
            return connection;
        }
        return ((RedisClient) client).connect(StringCodec.UTF8, uri(config));
    }

    /**
     * Opens the connection to each node now. Lettuce 7.7 opens a node's connection on the first
     * command for one of its slots, and with REJECT_COMMANDS it rejects that command while the
     * connection is still being opened, so without this every node's first command would fail.
     * A node that cannot be reached now is left to that lazy path.
     */
    private static void connectEveryNode(StatefulRedisClusterConnection<String, String> connection) {
        for (RedisClusterNode node : connection.getPartitions()) {
            try {
                connection.getConnection(node.getUri().getHost(), node.getUri().getPort());
            } catch (RedisException e) {
                log.atWarn().addKeyValue("node", node.getUri()).addKeyValue("error", describe(e))
                        .log("cannot connect to a Redis Cluster node yet, so commands for its slots fail until it is reachable");
            }
        }
    }

    /** Returns the synchronous commands of a connection opened by {@link #connect}. */
    public static RedisClusterCommands<String, String> commands(StatefulConnection<String, String> connection) {
        if (connection instanceof StatefulRedisClusterConnection<String, String> cluster) {
            return cluster.sync();
        }
        return ((StatefulRedisConnection<String, String>) connection).sync();
    }

    /**
     * Returns the messages of {@code error} and its causes, joined by ": ". Lettuce's own message
     * states only that it could not connect, while the cause names the reason, such as a server
     * certificate that no trusted CA signed.
     */
    public static String describe(Throwable error) {
        StringBuilder description = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && description.indexOf(cause.getMessage()) < 0) {
                description.append(": ").append(cause.getMessage());
            }
        }
        return description.toString();
    }

    private static RedisClient client(RedisConfig config) {
        RedisClient client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .sslOptions(sslOptions(config))
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(config.dialTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout(config)))
                .build());
        return client;
    }

    private static RedisClusterClient clusterClient(RedisConfig config) {
        List<RedisURI> uris = new ArrayList<>();
        for (String addr : config.addrs()) {
            uris.add(credentials(RedisURI.Builder.redis(host(addr), port(addr)), config).build());
        }
        RedisClusterClient client = RedisClusterClient.create(uris);
        client.setOptions(ClusterClientOptions.builder()
                .sslOptions(sslOptions(config))
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(config.dialTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout(config)))
                .build());
        return client;
    }

    /** Trusts the PEM certificates of {@code redis.tls.cacert} when set, else the JDK's CAs. */
    private static SslOptions sslOptions(RedisConfig config) {
        SslOptions.Builder builder = SslOptions.builder().jdkSslProvider();
        if (config.tlsCaCert() != null) {
            builder.trustManager(config.tlsCaCert().toFile());
        }
        return builder.build();
    }

    /** Lettuce has one command timeout, so the larger of the read and write timeouts applies. */
    private static Duration commandTimeout(RedisConfig config) {
        return config.readTimeout().compareTo(config.writeTimeout()) >= 0 ? config.readTimeout() : config.writeTimeout();
    }

    private static RedisURI uri(RedisConfig config) {
        RedisURI.Builder builder;
        if (config.mode() == RedisConfig.Mode.SENTINEL) {
            String first = config.addrs().get(0);
            builder = RedisURI.Builder.sentinel(host(first), port(first), config.masterName());
            for (String sentinel : config.addrs().subList(1, config.addrs().size())) {
                builder.withSentinel(host(sentinel), port(sentinel));
            }
        } else {
            builder = RedisURI.Builder.redis(host(config.addrs().get(0)), port(config.addrs().get(0)));
        }
        return credentials(builder.withDatabase(config.db()), config).build();
    }

    private static RedisURI.Builder credentials(RedisURI.Builder builder, RedisConfig config) {
        builder.withSsl(config.tls()).withTimeout(commandTimeout(config));
        if (config.password() != null && config.username() != null) {
            builder.withAuthentication(config.username(), config.password());
        } else if (config.password() != null) {
            builder.withPassword(config.password().toCharArray());
        }
        return builder;
    }

    private static String host(String addr) {
        return addr.substring(0, addr.lastIndexOf(':')).replace("[", "").replace("]", "");
    }

    private static int port(String addr) {
        return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
    }
}
