package io.mooring.example.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** What the agent endpoint answers; {@code body} is null for {@code 204 No Content}. */
record AgentResponse(int status, Map<String, String> headers, JsonNode body) {
    AgentResponse {
        headers = Map.copyOf(headers);
    }

    static AgentResponse json(int status, JsonNode body) {
        return new AgentResponse(status, Map.of(), body);
    }

    static AgentResponse noContent() {
        return new AgentResponse(204, Map.of(), null);
    }

    /** The protocol's only error form: {@code {"error": "<sentence>"}}. */
    static AgentResponse error(int status, String message) {
        return json(status, JsonNodeFactory.instance.objectNode().put("error", message));
    }

    AgentResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new AgentResponse(status, more, body);
    }
}
