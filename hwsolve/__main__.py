from hwsolve.entry import main

main()
