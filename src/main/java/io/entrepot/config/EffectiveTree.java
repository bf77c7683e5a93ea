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
        EffectiveSecurityTree.put(tree, config.auth(), config.access());
        if (tree.has("retention") || !config.retention().equals(RetentionConfig.NONE)) {
            putRetention(tree.putObject("retention"), config.retention());
        }
        return tree;
    }

    /** Writes the retention section as it runs: durations in Go notation, unset settings left out. */
    private static void putRetention(ObjectNode node, RetentionConfig retention) {
        node.put("interval", GoDuration.format(retention.interval()));
        node.put("dryrun", retention.dryRun());
        var rules = node.putArray("rules");
        for (RetentionConfig.Rule rule : retention.rules()) {
            ObjectNode ruleNode = rules.addObject();
            ruleNode.put("repositories", rule.repositories());
            if (rule.keepLatest() != null) {
                ruleNode.put("keeplatest", rule.keepLatest());
            }
            if (!rule.keepTags().isEmpty()) {
                rule.keepTags().forEach(ruleNode.putArray("keeptags")::add);
            }
            if (rule.removeTagsOlderThan() != null) {
                ruleNode.put("removetagsolderthan", GoDuration.format(rule.removeTagsOlderThan()));
            }
            if (rule.removeUntaggedOlderThan() != null) {
                ruleNode.put("removeuntaggedolderthan", GoDuration.format(rule.removeUntaggedOlderThan()));
            }
        }
        var immutable = node.putArray("immutabletags");
        for (RetentionConfig.ImmutableTags tags : retention.immutableTags()) {
            ObjectNode tagsNode = immutable.addObject();
            tagsNode.put("repositories", tags.repositories());
            tags.tags().forEach(tagsNode.putArray("tags")::add);
        }
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
            case StorageConfig.S3 s3 -> putS3(object(storage, "s3"), s3);
        }
        ObjectNode redirect = object(storage, "redirect");
        redirect.put("disable", config.redirect().disabled());
        redirect.put("expiry", GoDuration.format(config.redirect().expiry()));
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
        if (gc.schedule() == null) {
            gcNode.put("interval", GoDuration.format(gc.interval()));
        } else {
            gcNode.put("schedule", gc.schedule().toString());
            gcNode.put("timezone", gc.timeZone().getId());
        }
        gcNode.put("grace", GoDuration.format(gc.grace()));
        gcNode.put("deleteuntagged", gc.deleteUntagged());
        gcNode.put("dryrun", gc.dryRun());
    }

    /** Writes the values the S3 driver runs with; credentials stay as written, and the printer masks them. */
    private static void putS3(ObjectNode params, StorageConfig.S3 s3) {
        params.put("region", s3.region());
        if (s3.endpoint() != null) {
            params.put("regionendpoint", s3.endpoint().toString());
        }
        params.put("forcepathstyle", s3.forcePathStyle());
        params.put("bucket", s3.bucket());
        params.put("rootdirectory", s3.rootDirectory());
        params.put("encrypt", s3.encrypt());
        params.put("secure", s3.secure());
        params.put("skipverify", s3.skipVerify());
        params.put("v4auth", s3.v4Auth());
        params.put("chunksize", s3.chunkSize());
        params.put("uploadconcurrency", s3.uploadConcurrency());
        params.put("uploadbuffermemory", s3.uploadBufferMemory());
        params.put("multipartcopychunksize", s3.multipartCopyChunkSize());
        params.put("multipartcopymaxconcurrency", s3.multipartCopyMaxConcurrency());
        params.put("multipartcopythresholdsize", s3.multipartCopyThresholdSize());
        params.put("storageclass", s3.storageClass() == null ? "NONE" : s3.storageClass());
        params.put("objectacl", s3.objectAcl());
        params.put("usedualstack", s3.useDualStack());
        params.put("loglevel", s3.logLevel());
        params.put("maxconnections", s3.maxConnections());
        params.put("connecttimeout", GoDuration.format(s3.connectTimeout()));
        params.put("sockettimeout", GoDuration.format(s3.socketTimeout()));
        params.put("maxretries", s3.maxRetries());
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
        http.put("maxheaderbytes", config.limits().maxHeaderBytes());
        http.put("maxblobsize", config.limits().maxBlobSize());
        http.put("maxuploadsperuser", config.limits().maxUploadsPerUser());
    }

    /** Returns the child object {@code key}, replacing an absent or scalar value with an empty one. */
    static ObjectNode object(ObjectNode parent, String key) {
        JsonNode child = parent.get(key);
        return child instanceof ObjectNode object ? object : parent.putObject(key);
    }
}
