package tandem.app.grid;

import java.util.List;
import java.util.Map;

/** Everything a grid writes after its cells: tables, plots and the report, from the results alone. */
final class Outputs {
    private Outputs() {}

    /**
     * @param pending cells of the grid without a result, id -> why; named in the report
     * @return the analysis the report was drawn from
     */
    static GridAnalysis write(ResultsStore store, List<CellResult> results, Map<String, String> pending) {
        GridAnalysis analysis = new GridAnalysis(results);
        store.writeTables(results, analysis.fits());
        List<String> plots = new Plots(analysis, store.plotsDir()).drawAll();
        store.writeText("report.md", new Report(analysis).markdown(plots, pending));
        return analysis;
    }
}
