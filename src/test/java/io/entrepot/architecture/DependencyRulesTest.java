package io.entrepot.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the package dependencies pointing one way: cli → http → registry → storage, with cache beside registry. */
class DependencyRulesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.entrepot");

    @Test
    void storage_dependsOnNoOtherLayer() {
        noClasses().that().resideInAPackage("io.entrepot.storage..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.entrepot.registry..", "io.entrepot.http..", "io.entrepot.cli..", "io.entrepot.config..", "io.entrepot.maintenance..",
                        "io.entrepot.cache..")
                .check(CLASSES);
    }

    @Test
    void cache_usesRegistryAndStorageOnly() {
        noClasses().that().resideInAPackage("io.entrepot.cache..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.entrepot.http..", "io.entrepot.cli..", "io.entrepot.maintenance..", "org.eclipse.jetty..")
                .check(CLASSES);
    }

    @Test
    void registry_seesCacheOnlyThroughItsInterface() {
        noClasses().that().resideInAPackage("io.entrepot.registry..")
                .should().dependOnClassesThat().resideInAnyPackage("io.entrepot.cache..", "io.lettuce..", "com.github.benmanes.caffeine..")
                .check(CLASSES);
    }

    @Test
    void registry_knowsNothingOfHttpOrCommands() {
        noClasses().that().resideInAPackage("io.entrepot.registry..")
                .should().dependOnClassesThat().resideInAnyPackage("io.entrepot.http..", "io.entrepot.cli..", "org.eclipse.jetty..")
                .check(CLASSES);
    }

    @Test
    void clientAddress_isReadOnlyThroughClientAddress() {
        // Behind a trusted proxy the TCP peer is the proxy; a limit or log that read it would count every client as one.
        noClasses().that().doNotHaveFullyQualifiedName("io.entrepot.http.ClientAddress")
                .should().callMethod(org.eclipse.jetty.server.Request.class, "getRemoteAddr", org.eclipse.jetty.server.Request.class)
                .orShould().callMethod(org.eclipse.jetty.server.Request.class, "getRemotePort", org.eclipse.jetty.server.Request.class)
                .check(CLASSES);
    }

    @Test
    void http_doesNotDependOnCommands() {
        noClasses().that().resideInAPackage("io.entrepot.http..")
                .should().dependOnClassesThat().resideInAPackage("io.entrepot.cli..")
                .check(CLASSES);
    }

    @Test
    void maintenance_doesNotDependOnHttp() {
        noClasses().that().resideInAPackage("io.entrepot.maintenance..")
                .should().dependOnClassesThat().resideInAnyPackage("io.entrepot.http..", "io.entrepot.cli..")
                .check(CLASSES);
    }

    @Test
    void config_dependsOnNoOtherLayer() {
        noClasses().that().resideInAPackage("io.entrepot.config..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.entrepot.registry..", "io.entrepot.http..", "io.entrepot.cli..", "io.entrepot.storage..", "io.entrepot.maintenance..",
                        "io.entrepot.cache..")
                .check(CLASSES);
    }

    @Test
    void authAndEvents_knowNothingOfHttp() {
        noClasses().that().resideInAnyPackage("io.entrepot.auth..", "io.entrepot.events..", "io.entrepot.tls..")
                .should().dependOnClassesThat().resideInAnyPackage("io.entrepot.http..", "io.entrepot.cli..", "org.eclipse.jetty..")
                .check(CLASSES);
    }
}
