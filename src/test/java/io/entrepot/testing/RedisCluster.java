package io.entrepot.testing;

import io.entrepot.e2e.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three masters without replicas, each a {@code redis-server} child process
 * on 127.0.0.1 in its own directory, joined by {@code redis-cli --cluster create}. Skips the test
 * when redis-server or redis-cli is missing, see {@link ExternalTools#require}.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** Time after which the others mark a stopped node as failed; short so that outage tests stay fast. */
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);

    private final Path redisCli;
    private final List<RedisServer> nodes;

    private RedisCluster(Path redisCli, List<RedisServer> nodes) {
        this.redisCli = redisCli;
        this.nodes = nodes;
    }

    /** Starts three nodes under {@code directory}, assigns the 16384 slots among them and waits for {@code cluster_state:ok}. */
    public static RedisCluster start(Path directory) throws IOException, InterruptedException {
        Path redisCli = ExternalTools.require("redis-cli");
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(redisCli, nodes);
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.startClusterNode(directory.resolve("node-" + i), NODE_TIMEOUT));
            }
            List<String> create = new ArrayList<>(List.of("--cluster", "create"));
            create.addAll(cluster.addrs());
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            cluster.redisCli(create);
            cluster.awaitState("ok");
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Returns {@code 127.0.0.1:<port>} of every node, as {@code redis.addrs} takes them. */
    public List<String> addrs() {
        return nodes.stream().map(RedisServer::addr).toList();
    }

    public RedisServer node(int index) {
        return nodes.get(index);
    }

    /** Waits until every running node reports {@code cluster_state:<state>}, such as {@code ok} or {@code fail}. */
    public void awaitState(String state) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (!allReport("cluster_state:" + state)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("Redis Cluster did not reach cluster_state:" + state + " within " + READY_TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    private boolean allReport(String line) throws IOException, InterruptedException {
        for (RedisServer node : nodes) {
            if (node.running() && !redisCli(List.of("-p", Integer.toString(node.port()), "cluster", "info")).contains(line)) {
                return false;
            }
        }
        return true;
    }

    /** Runs redis-cli against 127.0.0.1 and returns its output; fails on a non-zero exit status. */
    private String redisCli(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(redisCli.toString(), "-h", "127.0.0.1"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("redis-cli " + String.join(" ", arguments) + " failed: " + output);
        }
        return output;
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServer node : nodes) {
            node.close();
        }
    }
}
