package io.entrepot.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The {@code --json} output of the maintenance commands: one indented JSON document on standard output. */
final class JsonReports {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReports() {}

    /** Returns an empty object to fill. */
    static ObjectNode newReport() {
        return MAPPER.createObjectNode();
    }

    /** Renders {@code report} as indented JSON. */
    static String render(ObjectNode report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report tree always serializes", e);
        }
    }
}
