package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Maps {@code storage.cache} and the {@code redis} section, recording every invalid value. */
final class CacheSectionMapper {

    /** host:port with a port from 1 to 65535; the host may be a name, an IPv4 or a bracketed IPv6 address. */
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):([0-9]{1,5})");

    private final ValueReader reader;

    CacheSectionMapper(ValueReader reader) {
        this.reader = reader;
    }

    CacheConfig cache(RedisConfig redis) {
        String kind = reader.string("storage.cache.blobdescriptor", "");
        CacheConfig.BlobDescriptor blobDescriptor = switch (kind) {
            case "" -> CacheConfig.BlobDescriptor.NONE;
            case "inmemory" -> CacheConfig.BlobDescriptor.INMEMORY;
            case "redis" -> CacheConfig.BlobDescriptor.REDIS;
            default -> {
                reader.problem("storage.cache.blobdescriptor", "must be inmemory or redis", reader.node("storage.cache.blobdescriptor"));
                yield CacheConfig.BlobDescriptor.NONE;
            }
        };
        if (blobDescriptor == CacheConfig.BlobDescriptor.REDIS && !redis.configured()) {
            reader.problem("storage.cache.blobdescriptor", "is redis but the redis section has no addr, set redis.addr", reader.node("storage.cache.blobdescriptor"));
        }

        long size = reader.integer("storage.cache.blobdescriptorsize", CacheConfig.DEFAULT_SIZE);
        if (size <= 0) {
            reader.problem("storage.cache.blobdescriptorsize", "must be a positive number of entries", reader.node("storage.cache.blobdescriptorsize"));
            size = CacheConfig.DEFAULT_SIZE;
        }
        return new CacheConfig(blobDescriptor, size);
    }

    RedisConfig redis() {
        if (!reader.has("redis")) {
            return RedisConfig.NONE;
        }
        if (!reader.node("redis").isObject()) {
            reader.problem("redis", "must be a map of Redis settings, such as addr", reader.node("redis"));
            return RedisConfig.NONE;
        }
        List<String> addrs = addresses();
        String masterName = reader.string("redis.mastername", null);
        if (masterName != null && masterName.isBlank()) {
            masterName = null;
        }
        if (masterName != null && addrs.isEmpty()) {
            reader.problem("redis.mastername", "is set but no Sentinel address is, set redis.addrs", reader.node("redis.mastername"));
        }

        long db = reader.integer("redis.db", 0);
        if (db < 0 || db > Integer.MAX_VALUE) {
            reader.problem("redis.db", "must be a database number, 0 or more", reader.node("redis.db"));
            db = 0;
        }
        if (db != 0 && addrs.size() > 1 && masterName == null) {
            reader.problem("redis.db", "must be 0 with Redis Cluster, which has a single database", reader.node("redis.db"));
        }

        Duration dialTimeout = positiveDuration("redis.dialtimeout", RedisConfig.DEFAULT_DIAL_TIMEOUT);
        Duration readTimeout = positiveDuration("redis.readtimeout", RedisConfig.DEFAULT_IO_TIMEOUT);
        Duration writeTimeout = positiveDuration("redis.writetimeout", RedisConfig.DEFAULT_IO_TIMEOUT);
        RedisConfig.Pool pool = new RedisConfig.Pool(
                nonNegativeInt("redis.pool.maxidle"),
                nonNegativeInt("redis.pool.maxactive"),
                reader.duration("redis.pool.idletimeout", Duration.ZERO));
        boolean tls = reader.bool("redis.tls.enabled", false);
        Path caCert = null;
        if (reader.has("redis.tls.cacert")) {
            caCert = new SecurityConfigMapper(reader).requiredFile("redis.tls.cacert");
            if (!tls) {
                reader.problem("redis.tls.cacert", "is set but redis.tls.enabled is not true, set redis.tls.enabled: true", reader.node("redis.tls.cacert"));
            }
        }

        return new RedisConfig(addrs, masterName, reader.string("redis.username", null), reader.string("redis.password", null),
                (int) db, dialTimeout, readTimeout, writeTimeout, pool, tls, caCert);
    }

    /** Reads distribution 2's {@code addr} or distribution 3's {@code addrs} list, not both. */
    private List<String> addresses() {
        List<String> addrs = new ArrayList<>();
        String addr = reader.string("redis.addr", null);
        if (addr != null && !addr.isBlank()) {
            addrs.add(addr);
        }
        JsonNode list = reader.node("redis.addrs");
        if (list != null) {
            if (!addrs.isEmpty()) {
                reader.problem("redis.addrs", "must not be set together with redis.addr, keep one of them", list);
            } else if (list.isArray()) {
                list.forEach(item -> addrs.add(item.asText()));
            } else if (list.isValueNode()) {
                // An environment override gives a list as one comma-separated string.
                for (String item : list.asText().split(",")) {
                    addrs.add(item.trim());
                }
            } else {
                reader.problem("redis.addrs", "must be a list of host:port addresses", list);
            }
        }
        String key = reader.has("redis.addrs") ? "redis.addrs" : "redis.addr";
        for (String each : addrs) {
            var matcher = HOST_PORT.matcher(each);
            if (!matcher.matches() || Integer.parseInt(matcher.group(1)) == 0 || Integer.parseInt(matcher.group(1)) > 65535) {
                reader.problem(key, "must be host:port with a port from 1 to 65535, such as 127.0.0.1:6379, not " + each, reader.node(key));
            }
        }
        return List.copyOf(addrs);
    }

    private Duration positiveDuration(String key, Duration defaultValue) {
        Duration value = reader.duration(key, defaultValue);
        if (value.isZero()) {
            reader.problem(key, "must be greater than zero", reader.node(key));
            return defaultValue;
        }
        return value;
    }

    private int nonNegativeInt(String key) {
        long value = reader.integer(key, 0);
        if (value < 0 || value > Integer.MAX_VALUE) {
            reader.problem(key, "must be a number from 0 to " + Integer.MAX_VALUE, reader.node(key));
            return 0;
        }
        return (int) value;
    }
}
