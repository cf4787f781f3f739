from ctctform.cli import main

main()
