package tandem.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import tandem.app.cli.AugmentCommand;
import tandem.app.cli.LocalCommand;
import tandem.app.cli.NodeCommand;

/** The one runnable jar: {@code tandem <subcommand>}. */
@Command(name = "tandem", mixinStandardHelpOptions = true, version = "tandem 0.1.0",
        description = "Elastic, actor-based trainer for byte-level language models: more GPUs, or more data?",
        subcommands = {
                LocalCommand.class,
                NodeCommand.Coordinator.class,
                NodeCommand.DataWorker.class,
                NodeCommand.GpuWorker.class,
                AugmentCommand.class,
                tandem.app.grid.GridCommand.class,
                tandem.app.ctl.CtlCommand.class,
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new UserErrors());
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
