from zhaoshang.entry import main

main()
