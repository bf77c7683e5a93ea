package io.entrepot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CheckedStorageDriverTest {

    /** One call reported to the observer. */
    private record Observation(String driver, String action, boolean failed) {}

    private final List<Observation> observations = new CopyOnWriteArrayList<>();
    private final StorageObserver recorder =
            (driver, action, nanos, failed) -> observations.add(new Observation(driver, action, failed));

    @Test
    void wrap_alreadyWrapped_returnsSameInstance() {
        StorageDriver wrapped = CheckedStorageDriver.wrap(new InMemoryDriver());

        assertThat(CheckedStorageDriver.wrap(wrapped)).isSameAs(wrapped);
    }

    @Test
    void observer_successfulCall_recordsActionNotFailed() throws IOException {
        StorageDriver driver = new CheckedStorageDriver(new InMemoryDriver(), recorder);

        driver.putContent("/a", new byte[] {1});

        assertThat(observations).containsExactly(new Observation("inmemory", "PutContent", false));
    }

    @Test
    void observer_pathNotFound_notRecordedAsFailure() {
        StorageDriver driver = new CheckedStorageDriver(new InMemoryDriver(), recorder);

        assertThatThrownBy(() -> driver.getContent("/missing")).isInstanceOf(PathNotFoundException.class);
        assertThat(observations).containsExactly(new Observation("inmemory", "GetContent", false));
    }

    @Test
    void observer_invalidPath_notCalled() {
        StorageDriver driver = new CheckedStorageDriver(new InMemoryDriver(), recorder);

        assertThatThrownBy(() -> driver.stat("relative")).isInstanceOf(InvalidPathException.class);
        assertThat(observations).isEmpty();
    }

    @Test
    void driverRuntimeFailure_becomesIOException() {
        StorageDriver failing = (StorageDriver) Proxy.newProxyInstance(
                StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("name")) {
                        return "broken";
                    }
                    throw new IllegalStateException("simulated backend failure");
                });
        StorageDriver driver = new CheckedStorageDriver(failing, recorder);

        assertThatThrownBy(() -> driver.stat("/a/b"))
                .isExactlyInstanceOf(IOException.class)
                .hasMessageContaining("broken")
                .hasMessageContaining("/a/b")
                .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThat(observations).containsExactly(new Observation("broken", "Stat", true));
    }
}
