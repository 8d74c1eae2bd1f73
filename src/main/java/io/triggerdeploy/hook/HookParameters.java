package io.triggerdeploy.hook;

import com.fasterxml.jackson.databind.JsonNode;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.Server;

import java.util.List;
import java.util.Map;

/** A server hook's parameters: checked when the hook is saved, filled from each delivery. */
final class HookParameters {

    private HookParameters() {
    }

    /**
     * A server hook's parameters: each a parameter the server declares (REF comes from each push), fixed values within
     * the parameters' length limit, event fields as JSON pointers ("/repository/name").
     */
    static void check(Server s, Map<String, String> fixed, Map<String, String> mapped) {
        java.util.Set<String> declared = new java.util.HashSet<>();
        Parameters.read(s.parameters).forEach(p -> declared.add(p.name()));
        for (var e : List.of(Map.entry("parameters", fixed), Map.entry("event_parameters", mapped))) {
            for (var p : e.getValue().entrySet()) {
                String field = e.getKey() + "." + p.getKey();
                if (Parameters.REF.equals(p.getKey())) {
                    throw ProblemException.invalid(field, "REF comes from each push (its tag or commit); leave it out");
                }
                if (!declared.contains(p.getKey())) {
                    throw ProblemException.invalid(field, "is not a parameter of server '" + s.alias + "'"
                            + (declared.isEmpty() ? " (it declares none)" : " (it declares " + String.join(", ", new java.util.TreeSet<>(declared)) + ")"));
                }
                String v = p.getValue();
                if (v == null || v.length() > Parameters.MAX_VALUE) {
                    throw ProblemException.invalid(field, "must be a text of at most " + Parameters.MAX_VALUE + " characters");
                }
                if (e.getKey().equals("event_parameters")) {
                    try {
                        if (!v.startsWith("/")) {
                            throw new IllegalArgumentException("no leading /");
                        }
                        com.fasterxml.jackson.core.JsonPointer.compile(v);
                    } catch (IllegalArgumentException ex) {
                        throw ProblemException.invalid(field, "must be a JSON pointer into the event, such as /repository/name");
                    }
                }
            }
        }
    }

    /**
     * A delivery's parameters: the hook's fixed values, then those its event carries at the hook's JSON pointers (a
     * field the event lacks is left out: the server's default applies, or a required parameter refuses the delivery
     * naming it), then REF from the push.
     */
    static Map<String, String> of(HookRepository.StoredHook h, JsonNode payload, String version) {
        Map<String, String> out = new java.util.LinkedHashMap<>(h.parameters());
        h.eventParameters().forEach((name, pointer) -> {
            JsonNode v = payload == null ? null : payload.at(pointer);
            if (v != null && v.isValueNode() && !v.isNull()) {
                out.put(name, v.asText());
            }
        });
        if (version != null) {
            out.put(Parameters.REF, version);
        }
        return out;
    }
}
