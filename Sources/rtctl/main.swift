print("rtctl")
