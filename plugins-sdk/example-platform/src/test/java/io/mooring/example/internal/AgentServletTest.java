package io.mooring.example.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The servlet's only job is translation; these check it passes the request through and writes the answer out. */
class AgentServletTest {
    private final FakeEnrollmentService enrollment = new FakeEnrollmentService();
    private final AgentServlet servlet = new AgentServlet(
            new AgentProtocol(enrollment, new FakeCommandService(), new FakeInventoryService(), Clock.systemUTC()));

    @Test
    void writesTheAnswerAsJsonWithItsStatusAndHeaders() throws Exception {
        enrollment.acceptToken("token-1");
        FakeResponse response = new FakeResponse();

        servlet.service(request("POST", "/enroll", "application/json", null, "{\"token\": \"token-1\"}"), response.proxy());

        assertThat(response.status).isEqualTo(201);
        assertThat(response.headers).containsEntry("Content-Type", "application/json").containsEntry("Cache-Control", "no-store");
        assertThat(response.headers.get("Content-Length")).isEqualTo(String.valueOf(response.body.size()));
        var body = new ObjectMapper().readTree(response.body.toByteArray());
        assertThat(enrollment.authenticate(ExamplePlatform.ID, body.get("credential").asText())).isPresent();
    }

    @Test
    void passesAuthorizationAndPathThrough() throws Exception {
        enrollment.enrolledDevice("credential-x");
        FakeResponse response = new FakeResponse();

        servlet.service(request("POST", "/checkin", "application/json", "Bearer credential-x", ""), response.proxy());

        assertThat(response.status).isEqualTo(200);
        assertThat(enrollment.authenticated).containsExactly("credential-x");
    }

    @Test
    void writesNoBodyForNoContent() throws Exception {
        enrollment.enrolledDevice("credential-x");
        FakeResponse response = new FakeResponse();

        servlet.service(request("POST", "/inventory", "application/json", "Bearer credential-x", "{}"), response.proxy());

        assertThat(response.status).isEqualTo(204);
        assertThat(response.body.size()).isZero();
        assertThat(response.headers).doesNotContainKey("Content-Type");
    }

    @Test
    void writesProtocolHeadersOfErrorAnswers() throws Exception {
        FakeResponse response = new FakeResponse();

        servlet.service(request("GET", "/checkin", null, null, ""), response.proxy());

        assertThat(response.status).isEqualTo(405);
        assertThat(response.headers).containsEntry("Allow", "POST");
        assertThat(new ObjectMapper().readTree(response.body.toByteArray()).get("error").asText()).contains("POST");
    }

    private static HttpServletRequest request(String method, String pathInfo, String contentType, String authorization, String body) {
        byte[] bytes = body.getBytes(UTF_8);
        ServletInputStream in = new ServletInputStream() {
            private final ByteArrayInputStream data = new ByteArrayInputStream(bytes);

            @Override
            public int read() {
                return data.read();
            }

            @Override
            public boolean isFinished() {
                return data.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(AgentServletTest.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getPathInfo" -> pathInfo;
                    case "getContentType" -> contentType;
                    case "getContentLengthLong" -> (long) bytes.length;
                    case "getHeader" -> "Authorization".equalsIgnoreCase((String) args[0]) ? authorization : null;
                    case "getInputStream" -> in;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static final class FakeResponse {
        int status;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        HttpServletResponse proxy() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(AgentServletTest.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
                    (proxy, m, args) -> switch (m.getName()) {
                        case "setStatus" -> {
                            status = (int) args[0];
                            yield null;
                        }
                        case "setHeader" -> {
                            headers.put((String) args[0], (String) args[1]);
                            yield null;
                        }
                        case "setContentType" -> {
                            headers.put("Content-Type", (String) args[0]);
                            yield null;
                        }
                        case "setContentLength" -> {
                            headers.put("Content-Length", String.valueOf(args[0]));
                            yield null;
                        }
                        case "getOutputStream" -> out;
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }
}
