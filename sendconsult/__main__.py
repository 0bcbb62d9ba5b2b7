from sendconsult.cli import console

console()
