package io.entrepot.storage.inmemory;

import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StorageDriverContractTest;

class InMemoryDriverContractTest extends StorageDriverContractTest {

    @Override
    protected StorageDriver newDriver() {
        return new InMemoryDriver();
    }
}
