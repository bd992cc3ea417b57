"""The evaluation set: what firms type, and the demo instruments a specialist would expect
on the first page for it. Chinese, English, abbreviations, manufacturers, model numbers,
mixed queries, full-width text and typos. An empty set means nothing in the demo catalogue
is that instrument: the right answer is no result."""

SEM = {"场发射扫描电子显微镜", "台式扫描电子显微镜", "超高分辨场发射扫描电镜"}
TEM = {"球差校正透射电子显微镜"}
XRD = {"X射线衍射仪", "单晶X射线衍射仪"}
THERMAL = {"同步热分析仪", "差示扫描量热仪", "动态热机械分析仪", "热重分析仪", "激光导热仪"}
ICP = {"电感耦合等离子体发射光谱仪", "电感耦合等离子体质谱仪"}
FTIR = {"傅里叶变换红外光谱仪", "显微红外光谱仪"}
UTM = {"万能材料试验机", "微机控制电子万能试验机"}
THERMO = {"傅里叶变换红外光谱仪", "球差校正透射电子显微镜", "X射线光电子能谱仪", "离子色谱仪",
          "显微红外光谱仪"}  # fmt: skip
BRUKER = {"X射线衍射仪", "原子力显微镜", "核磁共振波谱仪", "单晶X射线衍射仪", "电子顺磁共振波谱仪"}
SHIMADZU = {"紫外可见分光光度计", "气相色谱-质谱联用仪", "原子吸收分光光度计", "气相色谱仪"}
GCMS = {"气相色谱-质谱联用仪"}
LCMS = {"液相色谱-质谱联用仪"}
NMR = {"核磁共振波谱仪"}
SPECTRA = {"傅里叶变换红外光谱仪", "紫外可见分光光度计", "激光共聚焦显微拉曼光谱仪", "荧光分光光度计",
           "波长色散X射线荧光光谱仪", "显微红外光谱仪", "电感耦合等离子体发射光谱仪", "火花直读光谱仪"}  # fmt: skip
CHROMATOGRAPHS = {"高效液相色谱仪", "离子色谱仪", "气相色谱仪", "凝胶渗透色谱仪", "液相色谱-质谱联用仪",
                  "气相色谱-质谱联用仪"}  # fmt: skip

QUERIES: list[tuple[str, set[str]]] = [
    # the issue's own examples
    ("电镜", SEM | TEM),
    ("SEM", SEM),
    ("XRD", XRD),
    ("液相", {"高效液相色谱仪", "液相色谱-质谱联用仪"}),
    ("核磁", NMR),
    ("ICP", ICP),
    ("热分析", THERMAL),
    ("Nicolet", FTIR),
    ("pH", set()),
    # abbreviations and everyday short forms
    ("扫描电镜", SEM),
    ("TEM", TEM),
    ("X光衍射", XRD),
    ("HPLC", {"高效液相色谱仪"}),
    ("NMR", NMR),
    ("ICP-MS", {"电感耦合等离子体质谱仪"}),
    ("ICP-OES", {"电感耦合等离子体发射光谱仪"}),
    ("DSC", {"差示扫描量热仪", "同步热分析仪"}),
    ("TGA", {"热重分析仪", "同步热分析仪"}),
    ("FTIR", FTIR),
    ("红外", FTIR),
    ("拉曼", {"激光共聚焦显微拉曼光谱仪"}),
    ("XPS", {"X射线光电子能谱仪"}),
    ("XRF", {"波长色散X射线荧光光谱仪"}),
    ("AFM", {"原子力显微镜"}),
    ("BET", {"全自动比表面及孔隙度分析仪"}),
    ("比表面", {"全自动比表面及孔隙度分析仪"}),
    ("粒度", {"激光粒度分析仪"}),
    ("GC-MS", GCMS),
    ("气质", GCMS),
    ("LC-MS", LCMS),
    ("GC", {"气相色谱仪", "气相色谱-质谱联用仪"}),
    ("原子吸收", {"原子吸收分光光度计"}),
    ("AAS", {"原子吸收分光光度计"}),
    ("紫外", {"紫外可见分光光度计"}),
    ("UV-Vis", {"紫外可见分光光度计"}),
    ("拉力机", UTM),
    ("万能试验机", UTM),
    ("三坐标", {"三坐标测量机"}),
    ("CMM", {"三坐标测量机"}),
    ("盐雾", {"盐雾腐蚀试验箱"}),
    ("硬度计", {"显微维氏硬度计"}),
    ("EMC", {"电磁兼容EMI测试接收机"}),
    ("流变", {"旋转流变仪"}),
    ("接触角", {"光学接触角测量仪"}),
    ("核磁共振", NMR),
    ("质谱", GCMS | LCMS | {"电感耦合等离子体质谱仪"}),
    ("色谱", CHROMATOGRAPHS),
    ("光谱", SPECTRA),
    # English names
    ("universal testing machine", UTM),
    ("scanning electron microscope", SEM),
    ("X-ray diffraction", XRD),
    # manufacturers, Chinese and Latin
    ("赛默飞", THERMO),
    ("Thermo Fisher", THERMO),
    ("Bruker", BRUKER),
    ("岛津", SHIMADZU),
    ("Shimadzu", SHIMADZU),
    # model numbers
    ("iS50", {"傅里叶变换红外光谱仪"}),
    ("Nicolet iS50", {"傅里叶变换红外光谱仪"}),
    ("D8", XRD),
    ("ESR7", {"电磁兼容EMI测试接收机"}),
    ("SU8010", {"场发射扫描电子显微镜"}),
    ("400 MHz", NMR),
    # mixed, folded
    ("杭州 电镜", {"场发射扫描电子显微镜", "超高分辨场发射扫描电镜"}),
    ("蔡司 SEM", SEM),
    ("ＳＥＭ", SEM),
    ("sem", SEM),
    # typos
    ("Nicolit", FTIR),
    ("Shimazu", SHIMADZU),
    ("扫描电竞", SEM),
    ("热分折", THERMAL),
    ("核磁共震", NMR),
    # nothing of the kind in the catalogue
    ("电子天平", set()),
]
