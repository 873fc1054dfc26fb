package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LabReportTest {

    private static ModelScore score(String model, double rate, long micros, String failure) {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(micros * 1000L * i / 500);
        }
        return new ModelScore(model, rate, h, 1000, 0, 0, 8, 8, 1.5, 40_000, 0, failure);
    }

    @Test
    void thePageIsSelfContainedWithBarsAndPercentiles() {
        String html = LabReport.html(List.of(score("serial", 1000, 100, null), score("fork", 10, 5000, null),
                score("<odd>", 0, 1, "did not start")), Mode.GREET, "switchboard bench --models serial,fork");
        assertThat(html).contains("<svg").contains("<rect").contains("<polyline").contains("serial").contains("fork")
                .contains("&lt;odd&gt;").contains("switchboard bench --models serial,fork").contains("cores: ");
        assertThat(html).doesNotContain("<script").doesNotContain("http://www.w3.org/1999").doesNotContain("src=");
    }

    @Test
    void theTableHasARowPerModelAndTheRatioToTheBest() {
        String t = LabFormat.table(List.of(score("serial", 1000, 100, null).withRatio(1),
                score("fork", 250, 100, null).withRatio(0.25), score("virtual", 0, 1, "no").withRatio(0)), Mode.ECHO);
        assertThat(t.lines()).hasSize(4);
        assertThat(t).contains("rate (rtt/s)").contains("1.00").contains("0.25").contains("virtual    failed: no")
                .contains("39 MiB").contains("8/8");
    }

    @Test
    void axisLabelsArePowersOfTen() {
        assertThat(LabReport.decade(0)).isEqualTo("1us");
        assertThat(LabReport.decade(2)).isEqualTo("100us");
        assertThat(LabReport.decade(3)).isEqualTo("1ms");
        assertThat(LabReport.decade(7)).isEqualTo("10s");
    }

    @Test
    void aWindowShorterThanTheLatencyIsNoticed() {
        Histogram h = new Histogram(3);
        assertThat(new ModelScore("fork", 2, h, 4, 0, 30, 4, 8, 1, 1, 1, null).windowTooShort()).isTrue();
        assertThat(new ModelScore("virtual", 2, h, 40_000, 0, 30, 8, 8, 1, 1, 1, null).windowTooShort()).isFalse();
    }
}
