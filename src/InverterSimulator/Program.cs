Console.WriteLine("InverterSimulator: not yet implemented");
return 0;
