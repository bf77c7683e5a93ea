package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Builds the effective configuration tree: the tree as read and overridden, with every key that
 * Entrepot reads replaced by the value it runs with, defaults included. Ignored keys stay, so the
 * printed tree shows what was ignored as well.
 */
final class EffectiveTree {

    private EffectiveTree() {}

    static ObjectNode of(ObjectNode overridden, RegistryConfig config) {
        ObjectNode tree = overridden.deepCopy();
        tree.put("version", config.version());
        tree.remove("loglevel");
        putLog(object(tree, "log"), config.log());
        putStorage(object(tree, "storage"), config.storage());
        putHttp(object(tree, "http"), config.http());
        return tree;
    }

    private static void putLog(ObjectNode log, LogConfig config) {
        log.put("level", config.level());
        log.put("formatter", config.formatter().name().toLowerCase());
        ObjectNode fields = log.putObject("fields");
        config.fields().forEach(fields::put);
    }

    private static void putStorage(ObjectNode storage, StorageConfig config) {
        switch (config.driver()) {
            case StorageConfig.Filesystem filesystem -> {
                ObjectNode params = object(storage, "filesystem");
                params.put("rootdirectory", filesystem.rootDirectory().toString());
                params.put("maxthreads", filesystem.maxThreads());
            }
            case StorageConfig.InMemory inMemory -> object(storage, "inmemory");
        }
        object(storage, "delete").put("enabled", config.deleteEnabled());

        ObjectNode maintenance = object(storage, "maintenance");
        StorageConfig.UploadPurging purging = config.uploadPurging();
        ObjectNode purgingNode = object(maintenance, "uploadpurging");
        purgingNode.put("enabled", purging.enabled());
        purgingNode.put("age", GoDuration.format(purging.age()));
        purgingNode.put("interval", GoDuration.format(purging.interval()));
        purgingNode.put("dryrun", purging.dryRun());
        object(maintenance, "readonly").put("enabled", config.readOnly());
        StorageConfig.GarbageCollection gc = config.garbageCollection();
        ObjectNode gcNode = object(maintenance, "gc");
        gcNode.put("enabled", gc.enabled());
        gcNode.put("interval", GoDuration.format(gc.interval()));
        gcNode.put("grace", GoDuration.format(gc.grace()));
        gcNode.put("deleteuntagged", gc.deleteUntagged());
        gcNode.put("dryrun", gc.dryRun());
    }

    private static void putHttp(ObjectNode http, HttpConfig config) {
        http.put("addr", config.addr());
        http.put("net", config.net().name().toLowerCase());
        http.put("prefix", config.prefix());
        if (config.host() != null) {
            http.put("host", config.host());
        }
        http.put("relativeurls", config.relativeUrls());
        ObjectNode headers = http.putObject("headers");
        for (Map.Entry<String, List<String>> header : config.headers().entrySet()) {
            header.getValue().forEach(headers.putArray(header.getKey())::add);
        }
        http.put("draintimeout", GoDuration.format(config.drainTimeout()));
        if (config.debugAddr() != null) {
            object(http, "debug").put("addr", config.debugAddr());
        }
        http.put("maxmanifestsize", config.maxManifestSize());
    }

    /** Returns the child object {@code key}, replacing an absent or scalar value with an empty one. */
    private static ObjectNode object(ObjectNode parent, String key) {
        JsonNode child = parent.get(key);
        return child instanceof ObjectNode object ? object : parent.putObject(key);
    }
}
