from sendconsult.cli import main

main()
