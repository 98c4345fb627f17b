package tandem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Table and JSON formatting, and the statistics behind them. */
class ReportTest {

    @Test
    void statsOfThreeRepeats() {
        Stat s = Stat.of(3.0, 1.0, 2.0);
        assertEquals(2.0, s.median());
        assertEquals(1.0, s.min());
        assertEquals(3.0, s.max());
        Stat r = Stat.of(4.0, 6.0, 5.0).over(s);
        assertEquals(2.5, r.median());
        assertEquals(4.0 / 3.0, r.min(), 1e-12);
        assertEquals(6.0, r.max());
        Stat inv = Stat.of(1.0, 2.0, 4.0).inverse(8);
        assertEquals(4.0, inv.median());
        assertEquals(2.0, inv.min());
        assertEquals(8.0, inv.max());
    }

    @Test
    void pairedRatiosDivideRepeatByRepeat() {
        Stat slow = Stat.of(10.0, 20.0, 40.0);
        Stat fast = Stat.of(9.0, 19.0, 42.0);
        Stat r = fast.pairedOver(slow);
        assertEquals(0.95, r.median(), 1e-12);
        assertEquals(0.9, r.min(), 1e-12);
        assertEquals(1.05, r.max(), 1e-12);
        assertEquals(fast.over(Stat.of(1.0, 2.0)).median(), fast.pairedOver(Stat.of(1.0, 2.0)).median());
    }

    @Test
    void numbersHaveThreeSignificantFigures() {
        assertEquals("12,345", Report.Table.number(12_345.4));
        assertEquals("123", Report.Table.number(123.4));
        assertEquals("12.3", Report.Table.number(12.34));
        assertEquals("1.23", Report.Table.number(1.234));
        assertEquals("0.123", Report.Table.number(0.1234));
        assertEquals("1.23e-04", Report.Table.number(0.0001234));
        assertEquals("n/a", Report.Table.number(Double.NaN));
    }

    @Test
    void tableAlignsColumnsAndShowsVerdicts() {
        Report report = new Report();
        Report.Section s = report.section("1", "1. Overhead");
        s.value("floor", Stat.of(100.0, 90.0, 110.0), "tokens/s");
        s.value("tandem", Stat.of(96.0, 95.0, 97.0), "tokens/s");
        s.ratio("tandem / floor", Stat.of(96.0, 95.0, 97.0).over(Stat.of(100.0, 90.0, 110.0)), Report.Target.atLeast(0.95));
        String table = Report.Table.render(s.rows());
        List<String> lines = table.lines().toList();
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).matches("  floor +100 tokens/s +\\[90\\.0 \\.\\. 110\\]"), lines.get(0));
        assertTrue(lines.get(2).contains("target >= 0.950  met"), lines.get(2));
        assertEquals(lines.get(0).indexOf("tokens/s"), lines.get(1).indexOf("tokens/s"));
    }

    @Test
    void missedTargetsSayMissed() {
        Report.Row row = new Report.Row("x", Stat.of(0.5), "x", Report.Target.atLeast(1.5), true);
        assertEquals("MISSED", row.verdict());
        assertEquals("met", new Report.Row("y", Stat.of(0.01), "x", Report.Target.atMost(0.05), true).verdict());
    }

    @Test
    void jsonHasSectionsRowsAndNullForNaN() {
        Report report = new Report().header("mode", "quick");
        report.section("7", "7. Elasticity").placeholder("not measured yet");
        report.section("4", "4. Wire").value("a \"quoted\" name", Stat.of(Double.NaN), "ms").note("n");
        String json = report.toJson();
        assertTrue(json.contains("\"mode\": \"quick\""), json);
        assertTrue(json.contains("\"placeholder\": \"not measured yet\""), json);
        assertTrue(json.contains("\"measured\": false"), json);
        assertTrue(json.contains("\"name\": \"a \\\"quoted\\\" name\""), json);
        assertTrue(json.contains("\"median\": null"), json);
    }
}
