package io.entrepot.http;

import io.entrepot.config.StorageConfig;
import java.nio.file.Path;

/** The API suite on the in-memory driver. */
class InMemoryApiTest extends RegistryApiContractTest {

    @Override
    StorageConfig.Driver driver(Path tempDir) {
        return new StorageConfig.InMemory();
    }
}
