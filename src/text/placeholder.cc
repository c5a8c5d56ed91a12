namespace merit {}
