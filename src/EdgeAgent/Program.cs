Console.WriteLine("EdgeAgent: not yet implemented");
return 0;
