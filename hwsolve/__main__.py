from hwsolve.cli.entry import main

main()
