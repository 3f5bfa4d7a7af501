using FleetOta.Cli;

return CliApp.Invoke(args);
