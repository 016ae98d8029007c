package io.mooring.example.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import io.mooring.api.CommandType;
import io.mooring.api.ValidationException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExamplePlatformTest {
    private final ExamplePlatform platform = new ExamplePlatform();

    @Test
    void describesItselfToCore() {
        assertThat(platform.id().value()).isEqualTo("example");
        assertThat(platform.devicePaths()).containsExactly("/agent/example");
        assertThat(platform.commandTypes()).extracting(CommandType::name)
                .containsExactlyInAnyOrder("Lock", "Wipe", "Restart", "RequestInventory", "Notify");
    }

    @Test
    void refusesACommandTypeItDoesNotExecute() {
        assertRefused("Reboot", Map.of(), "type").hasMessageContaining("Reboot");
    }

    @Nested
    class Lock {
        @Test
        void takesNoPayloadOrAMessageAndPhoneNumber() {
            assertAccepted("Lock", Map.of());
            assertAccepted("Lock", Map.of("message", "Return to the front desk", "phoneNumber", "+1 555 0100"));
            assertAccepted("Lock", Map.of("message", "m".repeat(200), "phoneNumber", "1".repeat(32)));
        }

        @Test
        void refusesAMessageLongerThan200Characters() {
            assertRefused("Lock", Map.of("message", "m".repeat(201)), "message").hasMessageContaining("200");
        }

        @Test
        void refusesAPhoneNumberLongerThan32Characters() {
            assertRefused("Lock", Map.of("phoneNumber", "1".repeat(33)), "phoneNumber").hasMessageContaining("32");
        }

        @Test
        void refusesAPhoneNumberThatIsNotAString() {
            assertRefused("Lock", Map.of("phoneNumber", 5550100), "phoneNumber").hasMessageContaining("must be a string");
        }

        @Test
        void refusesANullMessage() {
            Map<String, Object> payload = new HashMap<>();
            payload.put("message", null);
            assertRefused("Lock", payload, "message");
        }

        @Test
        void refusesAnUnknownKeyAndListsTheKnownOnes() {
            assertRefused("Lock", Map.of("pin", "1234"), "pin").hasMessageContaining("message, phoneNumber");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Wipe", "Restart", "RequestInventory"})
    void commandsWithoutPayloadAcceptNoneAndRefuseAnyKey(String type) {
        assertAccepted(type, Map.of());
        assertAccepted(type, null);
        assertRefused(type, Map.of("force", true), "force").hasMessageContaining("takes none");
    }

    @Nested
    class Notify {
        @Test
        void takesATitleAndABody() {
            assertAccepted("Notify", Map.of("title", "Maintenance", "body", "Devices restart at 22:00."));
            assertAccepted("Notify", Map.of("title", "t".repeat(100), "body", "b".repeat(1000)));
        }

        @Test
        void needsATitle() {
            assertRefused("Notify", Map.of("body", "Devices restart at 22:00."), "title").hasMessageContaining("needs");
        }

        @Test
        void needsABody() {
            assertRefused("Notify", Map.of("title", "Maintenance"), "body").hasMessageContaining("needs");
        }

        @Test
        void refusesABlankTitle() {
            assertRefused("Notify", Map.of("title", "  ", "body", "text"), "title").hasMessageContaining("blank");
        }

        @Test
        void refusesATitleLongerThan100Characters() {
            assertRefused("Notify", Map.of("title", "t".repeat(101), "body", "text"), "title").hasMessageContaining("100");
        }

        @Test
        void refusesABodyLongerThan1000Characters() {
            assertRefused("Notify", Map.of("title", "Maintenance", "body", "b".repeat(1001)), "body").hasMessageContaining("1000");
        }

        @Test
        void refusesABodyThatIsNotAString() {
            assertRefused("Notify", Map.of("title", "Maintenance", "body", Map.of("text", "nested")), "body");
        }

        @Test
        void refusesAnUnknownKey() {
            assertRefused("Notify", Map.of("title", "Maintenance", "body", "text", "sound", "chime"), "sound");
        }
    }

    private void assertAccepted(String type, Map<String, Object> payload) {
        assertThatCode(() -> platform.validate(new CommandType(type), payload)).doesNotThrowAnyException();
    }

    private AbstractThrowableAssert<?, ?> assertRefused(String type, Map<String, Object> payload, String key) {
        return assertThatThrownBy(() -> platform.validate(new CommandType(type), payload))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo(key));
    }
}
