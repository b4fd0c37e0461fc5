return HeadPursuit.Cli.HeadPursuitCli.Run(args);
