package io.entrepot.cli;

import io.entrepot.cache.BlobDescriptorCaches;
import io.entrepot.config.CacheConfig;
import io.entrepot.config.ConfigException;
import io.entrepot.config.ConfigLoader;
import io.entrepot.config.GoDuration;
import io.entrepot.config.LoadedConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.http.StorageDrivers;
import io.entrepot.registry.BlobDescriptorCache;
import io.entrepot.registry.Registry;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Steps shared by the maintenance commands: loading the configuration and opening its storage. */
final class MaintenanceCommands {

    /** Exit status for an invalid configuration or option, as {@code config check} uses. */
    static final int EXIT_USAGE = 2;

    private MaintenanceCommands() {}

    /**
     * Loads {@code configFile}, printing every problem and warning to standard error, and sends
     * logs to standard error so that standard output carries only the report; null when invalid.
     */
    static LoadedConfig load(Path configFile) {
        try {
            LoadedConfig loaded = ConfigLoader.load(configFile, System.getenv());
            for (String warning : loaded.warnings()) {
                System.err.println("warning: " + warning);
            }
            LoggingSetup.configure(loaded.config().log(), true);
            return loaded;
        } catch (ConfigException e) {
            System.err.println("entrepot: " + e.getMessage());
            return null;
        }
    }

    /**
     * Loads {@code configFile} as {@link #load} does, for a command that reads the registry's
     * content; null when invalid. A filesystem root directory that does not exist is an error
     * here, because an empty report would hide a mistyped path. Unlike {@code serve}, which
     * creates the directory for a new registry, nothing is created.
     */
    static LoadedConfig loadWithExistingStorage(Path configFile) {
        LoadedConfig loaded = load(configFile);
        if (loaded != null && loaded.config().storage().driver() instanceof StorageConfig.Filesystem filesystem
                && !Files.isDirectory(filesystem.rootDirectory())) {
            System.err.println("entrepot: storage.filesystem.rootdirectory: directory not found: "
                    + filesystem.rootDirectory().toAbsolutePath() + "; check the path in " + configFile
                    + " (serve creates it when it first starts)");
            return null;
        }
        return loaded;
    }

    /** Opens the configured storage driver, which the caller closes when its command is done. */
    static StorageDriver openStorage(LoadedConfig loaded) throws IOException {
        return StorageDrivers.create(loaded.config().storage().driver());
    }

    /** Returns the registry's services over {@code driver}, without serving them and without a cache. */
    static Registry registry(StorageDriver driver) {
        return registry(driver, BlobDescriptorCache.NONE);
    }

    /** Returns the registry's services over {@code driver} with {@code cache} in front of it, without serving them. */
    static Registry registry(StorageDriver driver, BlobDescriptorCache cache) {
        return new Registry(driver, Clock.systemUTC(), cache);
    }

    /** Work that a command that deletes content does on the registry. */
    @FunctionalInterface
    interface RegistryTask<T> {
        T run(Registry registry) throws IOException;
    }

    /**
     * Opens the shared cache and the storage of {@code loaded}, runs {@code task} on the registry
     * over them, and closes both.
     */
    static <T> T withSharedCache(LoadedConfig loaded, RegistryTask<T> task) throws IOException {
        try (BlobDescriptorCache sharedCache = openSharedCache(loaded);
                StorageDriver driver = openStorage(loaded)) {
            return task.run(registry(driver, sharedCache));
        }
    }

    /**
     * Opens the Redis blob descriptor cache that serving instances share, when
     * {@code storage.cache.blobdescriptor} is {@code redis}, so that what a command deletes is
     * removed there too. Otherwise returns no cache: an in-memory cache of this short-lived process
     * would never be read, and the serving instances drop theirs through the collection epoch.
     */
    private static BlobDescriptorCache openSharedCache(LoadedConfig loaded) {
        CacheConfig cache = loaded.config().cache();
        if (cache.blobDescriptor() != CacheConfig.BlobDescriptor.REDIS) {
            return BlobDescriptorCache.NONE;
        }
        return BlobDescriptorCaches.create(cache, loaded.config().redis());
    }

    /** Reads a duration in Go's notation, such as {@code 90m} or {@code 1h30m}, as the config file does. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return GoDuration.parse(value);
            } catch (IllegalArgumentException e) {
                // picocli adds the option name; GoDuration's message names the value.
                throw new TypeConversionException(e.getMessage() + "; use a number with a unit such as 30s, 90m or 2h");
            }
        }
    }
}
