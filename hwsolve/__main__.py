from hwsolve.cli import main

main()
