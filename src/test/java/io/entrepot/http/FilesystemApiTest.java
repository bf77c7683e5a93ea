package io.entrepot.http;

import io.entrepot.config.StorageConfig;
import io.entrepot.testing.TestConfigs;
import java.nio.file.Path;

/** The API suite on the filesystem driver. */
class FilesystemApiTest extends RegistryApiContractTest {

    @Override
    StorageConfig.Driver driver(Path tempDir) {
        return TestConfigs.filesystem(tempDir.resolve("storage"));
    }
}
