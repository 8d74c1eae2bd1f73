package io.triggerdeploy.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Checks every answer a test receives through RestAssured against the service's own OpenAPI document
 * ({@code /q/openapi}): the status must be one the operation documents, the content type one that status lists, and
 * a JSON body must match its schema, where an object may carry no property its schema does not name. A drift fails
 * the test at the request that shows it, with the operation, the status and what did not match.
 *
 * <p>Answers outside the API (pages, {@code /q/*}, static files) are not the document's business. A method the path
 * does not have must be a 405 problem; an unknown {@code /api} path a 404 problem. The coverage (which documented
 * operations and statuses the suite saw) is written to {@code target/api-contract/} when the JVM ends.
 */
public final class ApiContract implements Filter {

    static final ApiContract INSTANCE = new ApiContract();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final String PROBLEM = "#/components/schemas/Problem";
    private static final Set<String> API_PREFIXES = Set.of("/api/", "/auth/", "/hooks/");

    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile Document document;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(INSTANCE::writeCoverage, "api-contract-coverage"));
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
                           FilterContext ctx) {
        Response response = ctx.next(request, responseSpec);
        URI uri = URI.create(request.getURI());
        if (!uri.getPath().startsWith("/q/")) {
            check(documentFor(uri), new Answer(request.getMethod(), uri.getPath(), response.statusCode(),
                    response.contentType(), response.header("Allow"), response.asByteArray()));
            checkAccepted(documentFor(uri), request.getMethod(), uri.getPath(), response.statusCode(),
                    request.getContentType(), sent(request.getBody()));
        }
        return response;
    }

    /**
     * A body the service accepted (2xx) must be one its document accepts too: a generated client validates, and a
     * person reads the document, before sending. (Refused bodies are the tests of refusals: no check.)
     */
    void checkAccepted(Document doc, String method, String path, int status, String contentType, byte[] body) {
        if (body == null || body.length == 0 || status < 200 || status > 299 || contentType == null) {
            return;
        }
        String template = doc.template(path);
        String verb = method.toLowerCase(Locale.ROOT);
        JsonNode content = template == null ? null
                : doc.sent.path("paths").path(template).path(verb).path("requestBody").path("content");
        if (content == null || content.isMissingNode()) {
            return;
        }
        String mediaType = mediaType(content, contentType);
        if (mediaType == null) {
            throw new AssertionError(method + " " + path + " accepted a body sent as " + contentType
                    + ", a content type its document does not list " + fieldNames(content));
        }
        if (!mediaType.contains("json")) {
            return;
        }
        JsonNode value;
        try {
            value = JSON.readTree(body);
        } catch (IOException e) {
            return; // not JSON after all: the service read it some other way
        }
        String pointer = "#/paths/" + escape(template) + "/" + verb + "/requestBody/content/" + escape(mediaType) + "/schema";
        List<Error> errors = schemas.computeIfAbsent("sent " + pointer, k -> doc.schema(pointer, doc.sent)).validate(value);
        if (!errors.isEmpty()) {
            List<String> messages = new ArrayList<>();
            errors.stream().limit(8).forEach(e -> messages.add(e.getInstanceLocation() + ": " + e.getMessage()));
            throw new AssertionError(method + " " + path + " accepted (" + status + ") a body its document refuses:\n  "
                    + String.join("\n  ", messages) + "\nbody: " + new String(body, StandardCharsets.UTF_8));
        }
    }

    private static byte[] sent(Object body) {
        try {
            if (body == null) {
                return null;
            }
            if (body instanceof byte[] bytes) {
                return bytes;
            }
            if (body instanceof String text) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** What a test received: the request line, the status, the content type, the Allow header and the body. */
    record Answer(String method, String path, int status, String contentType, String allow, byte[] body) {
        String label() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }

        String excerpt() {
            String text = new String(body, StandardCharsets.UTF_8);
            return text.length() > 600 ? text.substring(0, 600) + "…" : text;
        }
    }

    void check(Document doc, Answer answer) {
        String method = answer.method().toLowerCase(Locale.ROOT);
        String template = doc.template(answer.path());
        boolean api = API_PREFIXES.stream().anyMatch(answer.path()::startsWith);
        if (template == null) {
            if (api && answer.status() != 404) {
                throw new AssertionError(answer.label() + " is not in the API document but answered " + answer.status());
            }
            if (api) {
                checkBody(answer.label(), answer, PROBLEM, doc);
            }
            return;
        }
        JsonNode operation = doc.root.path("paths").path(template).path(method);
        if (operation.isMissingNode()) {
            if (!"head".equals(method) && !"options".equals(method)) {
                if (answer.status() != 405 || answer.allow() == null) {
                    throw new AssertionError(answer.label() + ": the document has no " + method.toUpperCase(Locale.ROOT)
                            + " for " + template + ", so the answer must be 405 with Allow, not " + answer.status());
                }
                checkBody(answer.label(), answer, PROBLEM, doc);
            }
            return;
        }
        JsonNode responses = operation.path("responses");
        String key = String.valueOf(answer.status());
        String id = operation.path("operationId").asText();
        if (!responses.has(key)) {
            throw new AssertionError(answer.label() + " (" + id + ") answered " + key + ", a status its document does not"
                    + " list " + fieldNames(responses) + "; body: " + answer.excerpt());
        }
        seen.add(id + " " + key);
        String label = answer.label() + " (" + id + ")";
        JsonNode content = responses.path(key).path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (answer.body().length > 0 && answer.status() != 303) {
                throw new AssertionError(label + " answered " + key + " with a body its document does not "
                        + "describe: " + answer.excerpt());
            }
            return;
        }
        String mediaType = mediaType(content, answer.contentType());
        if (mediaType == null) {
            throw new AssertionError(label + " answered " + key + " as '" + answer.contentType()
                    + "'; the document lists " + fieldNames(content));
        }
        if (mediaType.endsWith("json")) {
            checkBody(label, answer, "#/paths/" + escape(template) + "/" + method + "/responses/" + key + "/content/"
                    + escape(mediaType) + "/schema", doc);
        }
    }

    private void checkBody(String label, Answer answer, String pointer, Document doc) {
        if (answer.contentType() == null || !answer.contentType().contains("json")) {
            throw new AssertionError(label + " answered " + answer.status() + " as '" + answer.contentType()
                    + "', not JSON as documented");
        }
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new AssertionError(label + " answered a body that is not JSON: " + answer.excerpt(), e);
        }
        List<Error> errors = schemas.computeIfAbsent(pointer, k -> doc.schema(k, doc.root)).validate(body);
        if (!errors.isEmpty()) {
            List<String> messages = new ArrayList<>();
            errors.stream().limit(8).forEach(e -> messages.add(e.getInstanceLocation() + ": " + e.getMessage()));
            throw new AssertionError(label + " answered " + answer.status() + " with a body that does not match "
                    + pointer.replace("~1", "/") + ":\n  " + String.join("\n  ", messages) + "\nbody: " + answer.excerpt());
        }
    }

    private static String mediaType(JsonNode content, String contentType) {
        if (contentType == null) {
            return null;
        }
        String bare = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        for (Iterator<String> it = content.fieldNames(); it.hasNext(); ) {
            String listed = it.next();
            if (listed.split(";")[0].trim().equalsIgnoreCase(bare)) {
                return listed;
            }
        }
        return null;
    }

    private Document documentFor(URI uri) {
        Document doc = document;
        if (doc == null) {
            synchronized (this) {
                if (document == null) {
                    document = Document.fetch(uri.resolve("/q/openapi?format=json"));
                }
                doc = document;
            }
        }
        return doc;
    }

    /**
     * What this copy of the check saw (each restart of the application under test loads its own copy, so each writes
     * its own file), and the operations the document has; {@code .ci/run} prints the operations no test called.
     */
    private void writeCoverage() {
        Document doc = document;
        if (doc == null) {
            return;
        }
        Set<String> operations = new TreeSet<>();
        doc.root.path("paths").forEach(item -> item.fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                operations.add(op.getValue().path("operationId").asText());
            }
        }));
        try {
            Path dir = Path.of("target", "api-contract");
            Files.createDirectories(dir);
            String copy = ProcessHandle.current().pid() + "-" + Integer.toHexString(System.identityHashCode(this));
            Files.write(dir.resolve("seen-" + copy + ".txt"), new TreeSet<>(seen));
            Files.write(dir.resolve("operations.txt"), operations);
        } catch (IOException e) {
            System.err.println("api contract coverage not written: " + e);
        }
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }

    private static String escape(String pointerPart) {
        return pointerPart.replace("~", "~0").replace("/", "~1");
    }


    /**
     * The document with its path templates as patterns; for answers, every object schema closed to unnamed properties,
     * and as written for what is sent (the service ignores fields it does not know).
     */
    static final class Document {
        private final JsonNode root;
        private final JsonNode sent;
        private final AtomicInteger wrappers = new AtomicInteger();
        private final Map<String, Pattern> templates = new ConcurrentHashMap<>();
        private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

        Document(JsonNode root) {
            this.root = root;
            withoutEmailFormat(root);
            this.sent = root.deepCopy();
            root.path("paths").fieldNames().forEachRemaining(t -> templates.put(t,
                    Pattern.compile(Pattern.quote(t).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q"))));
            close(root.path("components").path("schemas"));
            root.path("paths").forEach(Document::close);
        }

        static Document fetch(URI uri) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException(uri + " answered " + answer.statusCode());
                }
                return new Document(JSON.readTree(answer.body()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** The template a concrete path falls under, literal templates before those with parameters. */
        String template(String path) {
            if (templates.containsKey(path)) {
                return path;
            }
            return templates.entrySet().stream().filter(e -> e.getValue().matcher(path).matches())
                    .map(Map.Entry::getKey).min((a, b) -> Long.compare(a.chars().filter(c -> c == '{').count(),
                            b.chars().filter(c -> c == '{').count())).orElse(null);
        }

        Schema schema(String pointer, JsonNode from) {
            ObjectNode wrapper = JSON.createObjectNode();
            wrapper.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            wrapper.set("paths", from.path("paths"));
            wrapper.set("components", from.path("components"));
            wrapper.put("$ref", pointer);
            // each wrapper its own identifier: the registry keeps documents by it
            return registry.getSchema(SchemaLocation.of("urn:trigger-deploy:openapi:" + wrappers.incrementAndGet()), wrapper);
        }

        /**
         * {@code format: email} is left to the service's own check: the validator's wants a top-level domain it knows,
         * refusing the {@code .test} that RFC 2606 reserves for tests (and RFC 5321 allows).
         */
        private static void withoutEmailFormat(JsonNode node) {
            if (node instanceof ObjectNode object && "email".equals(object.path("format").asText())) {
                object.remove("format");
            }
            node.forEach(Document::withoutEmailFormat);
        }

        /** An object schema that names its properties and says nothing else about others admits no others. */
        private static void close(JsonNode node) {
            if (node instanceof ObjectNode object) {
                if (object.has("properties") && !object.has("additionalProperties")) {
                    object.put("additionalProperties", false);
                }
                object.forEach(Document::close);
            } else if (node != null && node.isArray()) {
                node.forEach(Document::close);
            }
        }
    }
}
