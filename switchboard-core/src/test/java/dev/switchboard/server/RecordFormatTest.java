package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordFormatTest {

    private static ConnectionRecord closed(String outcome, Map<String, String> fields) {
        return new ConnectionRecord("close", 7, "127.0.0.1:40000", "[::1]:9234", "echo", "virtual",
                12, 34, 5, outcome, fields);
    }

    @Test
    void keyValueLineHasTheFieldsInAStableOrder() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("via", "10.0.0.1:5000");
        extra.put("upstream", "backend:80");
        assertThat(RecordFormat.KV.format(closed("ok", extra))).isEqualTo(
                "event=close id=7 remote=127.0.0.1:40000 local=[::1]:9234 service=echo model=virtual"
                        + " in=12 out=34 ms=5 outcome=ok via=10.0.0.1:5000 upstream=backend:80");
    }

    @Test
    void jsonLineHasTheSameFieldsWithNumbersAsNumbers() {
        assertThat(RecordFormat.JSON.format(closed("exit=3", Map.of()))).isEqualTo(
                "{\"event\":\"close\",\"id\":7,\"remote\":\"127.0.0.1:40000\",\"local\":\"[::1]:9234\","
                        + "\"service\":\"echo\",\"model\":\"virtual\",\"in\":12,\"out\":34,\"ms\":5,\"outcome\":\"exit=3\"}");
    }

    @Test
    void anOpenRecordHasNoCountsOrOutcome() {
        ConnectionRecord open = new ConnectionRecord("open", 1, "127.0.0.1:1", "127.0.0.1:2", "greet", "serial",
                0, 0, 0, null, Map.of());
        assertThat(RecordFormat.KV.format(open))
                .isEqualTo("event=open id=1 remote=127.0.0.1:1 local=127.0.0.1:2 service=greet model=serial");
    }

    @Test
    void callerControlledTextCannotStartALineOrForgeAField() {
        String forged = "x\nevent=close id=1 outcome=ok\r\t\u0000\u001b[31m\"\\ \u202e";
        String kv = RecordFormat.KV.format(closed("error=IOException", Map.of("cause", forged)));
        assertThat(kv).doesNotContain("\n", "\r", "\t", "\u0000", "\u001b", "\u202e");
        assertThat(kv).endsWith(
                " cause=\"x\\nevent=close id=1 outcome=ok\\r\\t\\u0000\\u001b[31m\\\"\\\\ \\u202e\"");
        String json = RecordFormat.JSON.format(closed("error=IOException", Map.of("cause", forged)));
        assertThat(json).doesNotContain("\n", "\r", "\u0000", "\u001b")
                .endsWith("\"cause\":\"x\\nevent=close id=1 outcome=ok\\r\\t\\u0000\\u001b[31m\\\"\\\\ \\u202e\"}");
    }

    @Test
    void longValuesAreCapped() {
        String kv = RecordFormat.KV.format(closed("ok", Map.of("cause", "y".repeat(10_000))));
        assertThat(kv).endsWith("cause=" + "y".repeat(RecordFormat.MAX_VALUE) + "...");
    }

    @Test
    void emptyValuesAreQuotedSoTheLineStillParses() {
        assertThat(RecordFormat.KV.format(closed("ok", Map.of("via", "")))).endsWith(" via=\"\"");
    }
}
